using Sluice.Alerts;
using Sluice.Expectations;
using Sluice.Pipelines;
using YamlDotNet.RepresentationModel;

namespace Sluice.Configuration;

/// <summary>Turns a checked pipeline file into stage definitions: the chain form (source → contract → transforms →
/// sink) or the graph form (<c>stages:</c> with <c>from:</c>).</summary>
internal sealed class PipelineReader(ShapeChecker checker, string baseDirectory)
{
    private readonly ComponentCatalog _catalog = checker.Catalog;

    public PipelineDefinition? Read(YamlMappingNode root)
    {
        // Structure is judged on the keys written, so a key whose value is wrong is not also reported as missing.
        var written = root.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToHashSet();
        var node = checker.CheckRoot(root, PipelineSpec.Root, "pipeline")!;
        bool graph = written.Contains("stages");
        var chainKeys = new[] { "source", "contract", "transforms", "sink" }.Where(written.Contains).ToList();
        if (graph && chainKeys.Count > 0)
        {
            Problem(node, $"use either `stages:` or {string.Join("/", chainKeys)}, not both");
            return null;
        }
        if (!graph && !(written.Contains("source") && written.Contains("sink")))
        {
            Problem(node, "a pipeline needs `source:` and `sink:` (or a `stages:` list)");
            return null;
        }
        var stages = graph ? ReadGraph(Raw(root, "stages")) : ReadChain(root);
        string name = node.GetString("name") ?? "";
        // The name files the pipeline's runs, dead letters and lease in the state store, and is printed on one line.
        if (node["name"] is { } nameNode && (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl)))
        {
            Problem(nameNode, "name must be a non-empty line of text: runs and dead letters are filed under it");
        }
        return new PipelineDefinition(name, stages)
        {
            DeadLetter = ReadDeadLetter(node["dead_letter"]),
            Checkpoint = ReadCheckpoint(node["checkpoint"]),
            Resilience = ReadResilience(node["resilience"]),
            Expectations = ReadExpectations(node["expect"]),
            Alerts = AlertReader.Read(node, checker.Problems),
            BaseDirectory = baseDirectory,
        };
    }

    // Stages are read from the YAML itself, each checked on its own, so that one broken stage neither hides the
    // others (a list with one bad item checks as a whole to nothing) nor shifts the chain: it keeps its place as an
    // UnbuiltStage, and the problems of every phase are reported in one pass.
    private List<StageDefinition> ReadChain(YamlMappingNode root)
    {
        var stages = new List<StageDefinition>();
        void Add(string name, YamlNode raw, Shape shape, Func<ConfigNode, IStageOptions?> bind, StageKind kind, string? component)
        {
            var at = checker.Locate(raw);
            IReadOnlyList<string> inputs = stages.Count == 0 ? [] : [stages[^1].Name];
            stages.Add(new StageDefinition(name, Options(raw, shape, bind, kind), inputs) { Location = at, Component = component });
        }
        if (Raw(root, "source") is { } source)
        {
            Add("source", source, new ComponentShape(StageKind.Source), n => Bind(n, StageKind.Source), StageKind.Source, TypeOf(source));
        }
        if (Raw(root, "contract") is { } contract)
        {
            Add("contract", contract, PipelineSpec.Root.Find("contract")!.Shape, BindContract, StageKind.Contract, "contract");
        }
        var used = new Dictionary<string, int>();
        foreach (var item in (Raw(root, "transforms") as YamlSequenceNode)?.Children ?? [])
        {
            if (item is not YamlMappingNode { Children.Count: 1 } mapping || mapping.Children.Keys.Single() is not YamlScalarNode { Value: { } key })
            {
                continue; // reported by the shape check; nothing to name it by
            }
            used[key] = used.GetValueOrDefault(key) + 1;
            Add(used[key] == 1 ? key : $"{key}_{used[key]}", item, new TransformShape(),
                n => BindTransform(n.Entries[0].Key, n.Entries[0].Value), StageKind.Transform, key);
        }
        if (Raw(root, "sink") is { } sink)
        {
            Add("sink", sink, new ComponentShape(StageKind.Sink), n => Bind(n, StageKind.Sink), StageKind.Sink, TypeOf(sink));
        }
        return stages;
    }

    /// <summary>A source's or sink's <c>type:</c> as written, when there is one to read.</summary>
    private static string? TypeOf(YamlNode component) => (component as YamlMappingNode) is { } mapping
        && Raw(mapping, "type") is YamlScalarNode { Value: { Length: > 0 } type } ? type : null;

    private List<StageDefinition> ReadGraph(YamlNode? list)
    {
        var stages = new List<StageDefinition>();
        string? previous = null;
        string[] kinds = ["source", "sink", "contract", .. _catalog.Transforms.Select(t => t.Name)];
        foreach (var item in (list as YamlSequenceNode)?.Children ?? [])
        {
            if (item is not YamlMappingNode mapping || Raw(mapping, "name") is not YamlScalarNode { Value: { } name }
                || mapping.Children.Keys.OfType<YamlScalarNode>().Where(k => kinds.Contains(k.Value)).ToList() is not [{ Value: { } key }])
            {
                continue; // reported by the shape check; no stage to place
            }
            var value = Raw(mapping, key)!;
            var (shape, bind, kind) = key switch
            {
                "source" => ((Shape)new ComponentShape(StageKind.Source), (Func<ConfigNode, IStageOptions?>)(n => Bind(n, StageKind.Source)), StageKind.Source),
                "sink" => (new ComponentShape(StageKind.Sink), n => Bind(n, StageKind.Sink), StageKind.Sink),
                "contract" => (Shape.OneOf(Shape.String, _catalog.Contract.Shape), BindContract, StageKind.Contract),
                _ => (_catalog.Transforms.First(t => t.Name == key).Shape, n => BindTransform(key, n), StageKind.Transform),
            };
            IReadOnlyList<string> inputs = Raw(mapping, "from") switch
            {
                null when key == "source" || previous is null => [],
                null => [previous],
                YamlScalarNode from => [from.Value ?? ""],
                YamlSequenceNode from => from.Children.OfType<YamlScalarNode>().Select(i => i.Value ?? "").ToList(),
                _ => [],
            };
            previous = name;
            var resilience = Raw(mapping, "resilience") is { } r ? Quietly(r, PipelineSpec.Resilience) : null;
            stages.Add(new StageDefinition(name, Options(value, shape, bind, kind, _catalog.Transforms.FirstOrDefault(t => t.Name == key)), inputs)
            {
                Location = checker.Locate(item),
                Component = key is "source" or "sink" ? TypeOf(value) : key,
                Resilience = resilience is null ? null : ReadResilience(resilience),
            });
        }
        return stages;
    }

    /// <summary>The options of one stage, or an <see cref="UnbuiltStage"/> when anything in them is wrong (reported
    /// by the shape check before, or by binding now); unknown keys alone do not count, as they are ignored.</summary>
    /// <param name="transform">The transform whose value <paramref name="raw"/> is (graph form), checked as such.</param>
    private IStageOptions Options(YamlNode raw, Shape shape, Func<ConfigNode, IStageOptions?> bind, StageKind kind, ComponentSpec? transform = null)
    {
        // Checked again on its own, to get its value and to see its problems (the check of the whole file reported them).
        var scratch = new ShapeChecker(checker.File, _catalog) { Parameters = checker.Parameters };
        var node = transform is null ? scratch.Check(raw, shape, "") : scratch.CheckTransformValue(raw, transform, "");
        bool broken = scratch.Problems.Any(p => !scratch.Ignorable.Contains(p));
        int before = checker.Problems.Count;
        var options = node is null ? null : bind(node);
        broken |= checker.Problems.Skip(before).Any(p => !checker.Ignorable.Contains(p));
        if (options is not null && !broken)
        {
            return options;
        }
        return new UnbuiltStage(kind, kind == StageKind.Contract && node is not null && !node.IsScalar ? ContractStandIn(node) : null);
    }

    /// <summary>The checked value of a part of the file, whose problems the check of the whole file reported.</summary>
    private ConfigNode? Quietly(YamlNode raw, Shape shape) => new ShapeChecker(checker.File, _catalog) { Parameters = checker.Parameters }.Check(raw, shape, "");

    /// <summary>A contract's output columns depend only on its fields' names and types (and unknown_fields), not
    /// on its rules; the contract with its rules left out stands in for one whose rules are broken.</summary>
    private ITransformOptions? ContractStandIn(ConfigNode contract)
    {
        if (contract["fields"] is not { IsMap: true } fields)
        {
            return null;
        }
        var typesOnly = fields.Entries.Select(f => new KeyValuePair<string, ConfigNode>(f.Key,
            ConfigNode.Map(f.Value.Location, f.Value.Entries.Where(e => e.Key == "type").ToList()))).ToList();
        var entries = contract.Entries.Where(e => e.Key == "unknown_fields")
            .Prepend(new("fields", ConfigNode.Map(fields.Location, typesOnly))).ToList();
        try
        {
            return _catalog.Contract.Bind(ConfigNode.Map(contract.Location, entries)) as ITransformOptions;
        }
        catch (PipelineException)
        {
            return null; // a type is wrong too: the columns are not known
        }
    }

    private static YamlNode? Raw(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: var k } && k == key).Value;

    private IStageOptions? Bind(ConfigNode node, StageKind kind)
    {
        var spec = _catalog.Of(kind).First(c => c.Name == node.GetString("type"));
        return Bind(spec, node);
    }

    private IStageOptions? BindTransform(string key, ConfigNode value) =>
        Bind(_catalog.Transforms.First(t => t.Name == key), value);

    private IStageOptions? BindContract(ConfigNode node)
    {
        if (!node.IsScalar)
        {
            return Bind(_catalog.Contract, node);
        }
        // A contract kept in its own file: its problems are reported at their place in that file.
        string path = Path.GetFullPath(Path.Combine(baseDirectory, node.Text));
        if (!File.Exists(path))
        {
            checker.Problems.Add(new Diagnostic(node.ContentLocation, $"contract file '{node.Text}' does not exist (looked for {path})"));
            return null;
        }
        var fileChecker = new ShapeChecker(PipelineFile.DisplayPath(path), _catalog) { Parameters = checker.Parameters };
        var root = PipelineFile.ReadYaml(path, fileChecker);
        var contract = root is null ? null : fileChecker.Check(root, _catalog.Contract.Shape, "contract");
        checker.Problems.AddRange(fileChecker.Problems);
        checker.Ignorable.UnionWith(fileChecker.Ignorable);
        return contract is null ? null : Bind(_catalog.Contract, contract);
    }

    private IStageOptions? Bind(ComponentSpec spec, ConfigNode node)
    {
        try
        {
            return spec.Bind(node);
        }
        catch (PipelineException e)
        {
            checker.Problems.AddRange(e.Diagnostics.Select(d => d.Location is null ? d with { Location = node.Location } : d));
            return null;
        }
        catch (Exception e) when (!ComponentCatalog.IsBuiltIn(spec))
        {
            // A registered component's own code refusing its options (an ArgumentException, say) is a problem of the
            // file like any other, not a crash: one line at the stage, naming the component.
            checker.Problems.Add(new Diagnostic(node.Location, $"{spec.Name}: {e.Message.ReplaceLineEndings(" ")}"));
            return null;
        }
    }

    private DeadLetterPolicy ReadDeadLetter(ConfigNode? node)
    {
        if (node is null)
        {
            return new DeadLetterPolicy();
        }
        double? ratio = node.GetDouble("max_ratio");
        long? count = node.GetInt64("max_count");
        if (ratio is < 0 or > 1)
        {
            Problem(node["max_ratio"]!, $"dead_letter.max_ratio must be between 0 and 1 (a share, e.g. 0.01 for 1 %); found {node["max_ratio"]!.Text}");
        }
        if (count < 0)
        {
            Problem(node["max_count"]!, "dead_letter.max_count must be 0 or more");
        }
        return new DeadLetterPolicy(ratio, count);
    }

    private CheckpointPolicy ReadCheckpoint(ConfigNode? node)
    {
        if (node is null)
        {
            return new CheckpointPolicy();
        }
        long records = node.GetInt64("every_records") ?? CheckpointPolicy.DefaultEveryRecords;
        double seconds = node.GetDouble("every_seconds") ?? CheckpointPolicy.DefaultEverySeconds;
        if (records < 0)
        {
            Problem(node["every_records"]!, "checkpoint.every_records must be 0 (no record trigger) or more");
        }
        if (seconds < 0 || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            Problem(node["every_seconds"]!, "checkpoint.every_seconds must be 0 (no time trigger) or more");
        }
        return new CheckpointPolicy(records, seconds);
    }

    private ResiliencePolicy ReadResilience(ConfigNode? node)
    {
        var policy = new ResiliencePolicy();
        if (node is null)
        {
            return policy;
        }
        if (node["retry"] is { } retry)
        {
            var defaults = policy.Retry;
            long attempts = retry.GetInt64("attempts") ?? defaults.Attempts;
            if (attempts is < 1 or > MaxAttempts)
            {
                Problem(retry["attempts"]!, $"resilience.retry.attempts must be from 1 (no retries) to {MaxAttempts:N0}; found {attempts}");
            }
            policy = policy with
            {
                Retry = new RetryPolicy
                {
                    Attempts = (int)Math.Clamp(attempts, 1, MaxAttempts),
                    Delay = ResilienceDuration(retry, "delay") ?? defaults.Delay,
                    MaxDelay = ResilienceDuration(retry, "max_delay") ?? defaults.MaxDelay,
                    Jitter = retry.GetBool("jitter") ?? defaults.Jitter,
                    On = RetryOnList(retry) ?? defaults.On,
                },
            };
        }
        if (node["circuit_breaker"] is { } breaker)
        {
            var defaults = new CircuitBreakerPolicy();
            double ratio = breaker.GetDouble("failure_ratio") ?? defaults.FailureRatio;
            if (ratio is <= 0 or > 1)
            {
                Problem(breaker["failure_ratio"]!, "resilience.circuit_breaker.failure_ratio must be more than 0 and at most 1");
            }
            var circuit = new CircuitBreakerPolicy
            {
                FailureRatio = ratio,
                Sampling = ResilienceDuration(breaker, "sampling") ?? defaults.Sampling,
                MinimumThroughput = (int)(breaker.GetInt64("min_throughput") ?? defaults.MinimumThroughput),
                Break = ResilienceDuration(breaker, "break") ?? defaults.Break,
            };
            // Polly's own floors: a shorter window or break, or a ratio over one try, would not mean much anyway.
            if (circuit.MinimumThroughput < 2)
            {
                Problem(breaker["min_throughput"]!, "resilience.circuit_breaker.min_throughput must be at least 2");
            }
            if (circuit.Sampling < TimeSpan.FromMilliseconds(500) || circuit.Break < TimeSpan.FromMilliseconds(500))
            {
                Problem(breaker, "resilience.circuit_breaker.sampling and break must each be at least 500ms");
            }
            policy = policy with { CircuitBreaker = circuit };
        }
        if (node["rate_limit"] is { } rate)
        {
            double perSecond = rate.GetDouble("records_per_second") ?? 0;
            if (perSecond <= 0)
            {
                Problem(rate, "resilience.rate_limit.records_per_second must be more than 0");
            }
            policy = policy with { RecordsPerSecond = perSecond };
        }
        long concurrency = node.GetInt64("concurrency") ?? policy.Concurrency;
        if (concurrency is < 1 or > ResiliencePolicy.MaxConcurrency)
        {
            Problem(node["concurrency"]!, $"resilience.concurrency must be from 1 to {ResiliencePolicy.MaxConcurrency} (batches a transform applies at the same time); found {concurrency}");
        }
        policy = policy with { Concurrency = (int)Math.Clamp(concurrency, 1, ResiliencePolicy.MaxConcurrency) };
        var timeout = ResilienceDuration(node, "timeout");
        if (timeout < TimeSpan.FromMilliseconds(10))
        {
            Problem(node["timeout"]!, "resilience.timeout must be at least 10ms");
        }
        return policy with { Timeout = timeout };
    }

    private static readonly string[] ExpectationKinds = ["row_count", "row_count_change", "null_ratio", "distinct_count", "freshness"];

    private List<Expectation> ReadExpectations(ConfigNode? list)
    {
        var expectations = new List<Expectation>();
        foreach (var item in list?.Items ?? [])
        {
            var kinds = item.Entries.Where(e => e.Key != "on_fail").ToList();
            if (kinds.Count != 1)
            {
                Problem(item, $"an expectation has exactly one of {string.Join(", ", ExpectationKinds)} (and optionally on_fail); found {(kinds.Count == 0 ? "none" : string.Join(" and ", kinds.Select(k => k.Key)))}");
                continue;
            }
            var (kind, value) = kinds[0];
            if (ReadExpectation(kind, value) is { } expectation)
            {
                expectations.Add(expectation with
                {
                    OnFail = item.GetString("on_fail") == "warn" ? ExpectationSeverity.Warn : ExpectationSeverity.Fail,
                    Location = item.Location,
                });
            }
        }
        return expectations;
    }

    /// <summary>One expectation's values, checked; null (with the problems reported) when they are wrong.</summary>
    private Expectation? ReadExpectation(string kind, ConfigNode node)
    {
        int problems = checker.Problems.Count;
        string column = node.GetString("column", "");
        if (node["column"] is { } c && column.Trim().Length == 0)
        {
            Problem(c, $"{kind}.column must name a column");
        }
        var (min, max) = kind is "row_count" or "distinct_count" ? CountBounds(node, kind) : (null, null);
        Expectation expectation = kind switch
        {
            "row_count" => new RowCountExpectation(min, max),
            "row_count_change" => new RowCountChangeExpectation(Share(node, kind, "max_percent", double.PositiveInfinity)),
            "null_ratio" => new NullRatioExpectation(column, Share(node, kind, "max", 1)),
            "distinct_count" => new DistinctCountExpectation(column, min, max),
            _ => new FreshnessExpectation(column, Duration(node, "max_age") ?? TimeSpan.Zero),
        };
        return checker.Problems.Count == problems ? expectation : null;
    }

    /// <summary>`min` and `max` of a count: at least one, each 0 or more, min ≤ max.</summary>
    private (long?, long?) CountBounds(ConfigNode node, string kind)
    {
        long? min = Count(node, kind, "min");
        long? max = Count(node, kind, "max");
        if (min is null && max is null)
        {
            Problem(node, $"{kind} needs `min`, `max` or both, e.g. {{ min: 1 }}");
        }
        else if (min > max)
        {
            Problem(node, $"{kind}.min ({min}) is more than its max ({max})");
        }
        return (min, max);
    }

    /// <summary>A count bound, 0 or more; null when absent.</summary>
    private long? Count(ConfigNode node, string kind, string key)
    {
        long? value = node.GetInt64(key);
        if (value < 0)
        {
            Problem(node[key]!, $"{kind}.{key} must be 0 or more");
        }
        return value;
    }

    /// <summary>A required number between 0 and <paramref name="most"/>.</summary>
    private double Share(ConfigNode node, string kind, string key, double most)
    {
        double value = node.GetDouble(key) ?? 0;
        if (value < 0 || value > most || double.IsNaN(value))
        {
            Problem(node[key]!, most == 1
                ? $"{kind}.{key} must be between 0 and 1 (a share, e.g. 0.05 for 5 %); found {node[key]!.Text}"
                : $"{kind}.{key} must be 0 or more; found {node[key]!.Text}");
        }
        return value;
    }

    /// <summary>The failures listed under <c>retry.on</c>, null when absent; a problem when the list is unknown or empty.</summary>
    private RetryOn? RetryOnList(ConfigNode retry)
    {
        if (retry["on"] is not { } list)
        {
            return null;
        }
        var on = RetryOn.Parse(retry.GetStrings("on") ?? [], out string? problem);
        if (problem is not null)
        {
            Problem(list, $"resilience.retry.on: {problem}");
        }
        else if (on is { Io: false, Timeouts: false, Network: false, HttpStatuses.Count: 0 })
        {
            Problem(list, "resilience.retry.on is empty; to turn retrying off, write retry: { attempts: 1 }");
        }
        return on;
    }

    /// <summary>The most tries a retry policy may make: beyond it a batch would retry for ever at <c>max_delay</c>
    /// (a day at most), which is a stuck run, not resilience.</summary>
    private const long MaxAttempts = 1_000_000;

    /// <summary>Polly refuses any of its durations (retry waits, timeout, sampling window, break) over a day, at
    /// run time; said here, the problem gets its place in the file and <c>validate</c> reports it.</summary>
    private static readonly TimeSpan MaxResilienceDuration = TimeSpan.FromDays(1);

    private TimeSpan? ResilienceDuration(ConfigNode node, string key)
    {
        var duration = Duration(node, key);
        if (duration > MaxResilienceDuration)
        {
            Problem(node[key]!, $"{key} must be at most 1d (24h); found '{node[key]!.Text}'");
            return null;
        }
        return duration;
    }

    /// <summary>The duration under <paramref name="key"/>, null when absent; a problem when it is not one.</summary>
    private TimeSpan? Duration(ConfigNode node, string key)
    {
        if (node[key] is not { } value)
        {
            return null;
        }
        if (DurationText.TryParse(value.Text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }
        Problem(value, $"{key} must be a positive duration with a unit, e.g. 250ms, 10s, 5m, 1h; found '{value.Text}'");
        return null;
    }

    private void Problem(ConfigNode node, string message) => checker.Problems.Add(new Diagnostic(node.Location, message));
}
