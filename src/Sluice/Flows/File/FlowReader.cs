using Sluice.Alerts;
using Sluice.Configuration;
using Sluice.Pipelines;
using YamlDotNet.RepresentationModel;

namespace Sluice.Flows;

/// <summary>Turns a checked flow file into a <see cref="FlowDefinition"/>; what the shapes cannot say (one action per
/// task, durations) is reported here, at the value.</summary>
internal sealed class FlowReader(ShapeChecker checker, string baseDirectory)
{
    public FlowDefinition? Read(YamlMappingNode root)
    {
        var node = checker.CheckRoot(root, FlowSpec.Root, "flow")!;
        var tasks = new List<FlowTask>();
        foreach (var (name, task) in node["tasks"]?.Entries ?? [])
        {
            if (ReadTask(name, task) is { } read)
            {
                tasks.Add(read);
            }
        }
        if (node.GetString("name") is not { } flowName || node["tasks"] is null)
        {
            return null; // reported: a required key is missing
        }
        return new FlowDefinition(flowName, tasks)
        {
            Description = node.GetString("description"),
            Parameters = (node["params"]?.Entries ?? []).ToDictionary(e => e.Key, e => e.Value.IsScalar ? e.Value.Text : e.Value.GetString("default")),
            MaxParallel = (int)Math.Clamp(node.GetInt64("max_parallel") ?? 8, int.MinValue, int.MaxValue),
            TagLimits = (node["limits"]?.Entries ?? []).ToDictionary(e => e.Key, e => (int)Math.Clamp(long.Parse(e.Value.Text, System.Globalization.CultureInfo.InvariantCulture), int.MinValue, int.MaxValue)),
            OnMappedFailure = node.GetString("on_mapped_failure") == "continue" ? MappedFailure.Continue : MappedFailure.Fail,
            Schedule = node["schedule"] is { } schedule ? ReadSchedule(schedule) : null,
            Partitions = node["partitions"] is { } partitions ? ReadPartitions(partitions) : null,
            Alerts = AlertReader.Read(node, checker.Problems),
            BaseDirectory = baseDirectory,
            Location = node.Location,
        };
    }

    private FlowTask? ReadTask(string name, ConfigNode task)
    {
        var command = task.GetStrings("command");
        var pipeline = task.GetString("pipeline");
        TaskAction? action = (command, pipeline) switch
        {
            ({ Count: > 0 }, null) => new CommandTaskAction(command)
            {
                Environment = task.GetStringMap("env") ?? new Dictionary<string, string>(),
                WorkingDirectory = task.GetString("workdir"),
                OutputLimit = (int)Math.Clamp(task.GetInt64("output_limit") ?? 64 * 1024, 1, int.MaxValue),
            },
            (null, not null) => new PipelineTaskAction(pipeline, task.GetStringMap("params") ?? new Dictionary<string, string>())
            {
                MemoryLimit = MemoryLimit(name, task),
            },
            ({ Count: 0 }, null) => Problem(task["command"]!, $"task '{name}': command is an empty list; give the program and its arguments"),
            (null, null) => Problem(task, $"task '{name}' needs `command:` or `pipeline:`"),
            _ => Problem(task, $"task '{name}' has both `command:` and `pipeline:`; give one"),
        };
        foreach (var (key, kind) in new[] { ("params", "pipeline"), ("memory_limit", "pipeline"), ("env", "command"), ("workdir", "command"), ("output_limit", "command") })
        {
            if (task[key] is { } misplaced && action?.Kind != kind)
            {
                Problem(misplaced, $"task '{name}': `{key}` is for a {kind} task");
            }
        }
        if (task.GetInt64("output_limit") is < 1 or > CommandTaskAction.MaxOutputLimit)
        {
            Problem(task["output_limit"]!, $"task '{name}': output_limit must be 1 to {CommandTaskAction.MaxOutputLimit} (16 MB of text: it is kept in the state file)");
        }
        var retry = ReadRetry(name, task["retries"]);
        var timeout = Duration(name, task, "timeout");
        TaskCache? cache = task["cache"] switch
        {
            null => null,
            { IsScalar: true } flag => flag.Text == "true" ? new TaskCache([], null) : null,
            var c => new TaskCache(c.GetStrings("inputs") ?? [], Duration(name, c, "expire")),
        };
        TaskMap? map = task["map"] is { } m
            ? new TaskMap(m.GetString("glob"), m.GetStrings("items"), m.GetString("lines_of"), (int)Math.Clamp(m.GetInt64("parallel") ?? 4, int.MinValue, int.MaxValue))
            : null;
        if (action is null)
        {
            return null;
        }
        return new FlowTask(name, action)
        {
            DependsOn = task.GetStrings("depends_on") ?? [],
            Retry = retry,
            Timeout = timeout,
            Cache = cache,
            Tags = task.GetStrings("tags") ?? [],
            Map = map,
            Location = task.Location,
        };
    }

    /// <summary>A cron text, or <c>{ cron, time_zone, catch_up }</c>; each bad value reported where it is written.</summary>
    private FlowSchedule? ReadSchedule(ConfigNode node)
    {
        var cron = node.IsScalar ? node : node["cron"]!;
        var expression = FlowSchedule.ParseCron(cron.Text, out string? cronProblem);
        if (cronProblem is not null)
        {
            Problem(cron, "schedule: " + cronProblem);
        }
        var zoneNode = node.IsScalar ? null : node["time_zone"];
        var zone = FlowSchedule.FindTimeZone(zoneNode?.Text ?? "UTC", out string? zoneProblem);
        if (zoneProblem is not null)
        {
            Problem(zoneNode!, "schedule: " + zoneProblem);
        }
        var catchUp = (node.IsScalar ? null : node.GetString("catch_up")) switch
        {
            "all" => CatchUp.All,
            "none" => CatchUp.None,
            _ => CatchUp.Latest,
        };
        return expression is null || zone is null ? null : FlowSchedule.Of(cron.Text, expression, zone, catchUp);
    }

    private FlowPartitions? ReadPartitions(ConfigNode node)
    {
        var partitions = FlowPartitions.Parse(node.Text, out string? problem);
        if (problem is not null)
        {
            Problem(node, problem);
        }
        return partitions;
    }

    private TaskRetry ReadRetry(string task, ConfigNode? node)
    {
        if (node is null)
        {
            return TaskRetry.None;
        }
        if (node.IsScalar)
        {
            return TaskRetry.None with { Retries = Count(node.Text) };
        }
        return new TaskRetry(Count(node.GetString("count")!),
            Duration(task, node, "delay") ?? TaskRetry.None.Delay,
            Duration(task, node, "max_delay") ?? TaskRetry.None.MaxDelay,
            node.GetBool("jitter") ?? true);
    }

    // Out of range counts are kept out of range (and reported by FlowChecks) rather than overflowing into range.
    private static int Count(string text) => (int)Math.Clamp(long.Parse(text, System.Globalization.CultureInfo.InvariantCulture), -1, 1_000_000);

    private TimeSpan? Duration(string task, ConfigNode node, string key)
    {
        if (node[key] is not { } value)
        {
            return null;
        }
        if (DurationText.TryParse(value.Text, out var duration) && duration > TimeSpan.Zero && duration <= TimeSpan.FromDays(365))
        {
            return duration;
        }
        Problem(value, $"task '{task}': {key} must be a duration from 1ms to 365d with a unit (500ms, 30s, 5m, 2h, 7d); found '{value.Text}'");
        return null;
    }

    private long? MemoryLimit(string task, ConfigNode node)
    {
        if (node["memory_limit"] is not { } value)
        {
            return null;
        }
        if (ByteSizeText.TryParse(value.Text, out long bytes) && bytes >= RunnerOptions.SmallestMemoryLimit)
        {
            return bytes;
        }
        Problem(value, $"task '{task}': memory_limit must be a size of at least 128MB (512MB, 2GB); found '{value.Text}'");
        return null;
    }

    private TaskAction? Problem(ConfigNode at, string message)
    {
        checker.Problems.Add(new Diagnostic(at.Location, message));
        return null;
    }
}
