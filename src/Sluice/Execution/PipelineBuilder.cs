using Apache.Arrow;
using Sluice.Contracts;
using Sluice.Expectations;
using Sluice.Pipelines;

namespace Sluice.Execution;

/// <summary>
/// Turns a checked graph into stage instances, flowing each stage's output schema into the stages it feeds so
/// that expressions and contracts are type-checked before any data moves. Reports every problem it can find.
/// </summary>
internal static class PipelineBuilder
{
    /// <param name="replaceSource">Given a source's name and instance, the source to run instead (a replay's).</param>
    public static IReadOnlyList<StageNode> Build(PipelineDefinition pipeline, BuildContext context, Func<string, ISource, ISource>? replaceSource = null)
    {
        var order = PipelineGraph.Order(pipeline);
        var (nodes, problems) = BuildNodes(pipeline, order, context, replaceSource);
        if (problems.Count > 0 || nodes.Count < order.Count)
        {
            DisposeStagesAsync(nodes.Values).AsTask().GetAwaiter().GetResult();
            throw new PipelineException(problems);
        }
        return order.Select(s => nodes[s.Name]).ToList();
    }

    /// <summary>Every problem the graph and the build find, for a pipeline file whose options already have problems
    /// (its broken stages are <see cref="UnbuiltStage"/>s): reported with them, in one pass.</summary>
    public static IReadOnlyList<Diagnostic> Problems(PipelineDefinition pipeline, BuildContext context)
    {
        try
        {
            var (nodes, problems) = BuildNodes(pipeline, PipelineGraph.Order(pipeline), context, null);
            DisposeStagesAsync(nodes.Values).AsTask().GetAwaiter().GetResult();
            return problems;
        }
        catch (PipelineException e)
        {
            return e.Diagnostics;
        }
    }

    private static (Dictionary<string, StageNode> Nodes, List<Diagnostic> Problems) BuildNodes(PipelineDefinition pipeline,
        IReadOnlyList<StageDefinition> order, BuildContext context, Func<string, ISource, ISource>? replaceSource)
    {
        var nodes = new Dictionary<string, StageNode>(StringComparer.Ordinal);
        var problems = Connectors.Files.FileStageOverlap.Problems(order, context.BaseDirectory);
        foreach (var stage in order)
        {
            var inputs = stage.Inputs.Select(i => nodes.GetValueOrDefault(i)).ToList();
            if (inputs.Any(i => i is null))
            {
                continue; // an upstream stage failed to build; its error is already reported
            }
            try
            {
                var node = Create(stage, inputs!, pipeline, context, replaceSource);
                if (node is null)
                {
                    continue; // its options are broken (already reported) and its output columns unknown
                }
                foreach (var input in inputs)
                {
                    input!.Downstream.Add(node);
                    node.Upstream.Add(input);
                }
                nodes.Add(stage.Name, node);
            }
            catch (PipelineException e)
            {
                problems.AddRange(e.Diagnostics.Select(d => d.Location is null && stage.Location is not null
                    ? d with { Location = stage.Location, Message = $"stage '{stage.Name}': {d.Message}" }
                    : d));
                // The stages after it are still checked when its output columns do not depend on what failed.
                if (stage.Options is ITransformOptions transform && inputs is [{ } only] && transform.OutputWhenBroken(only.Schema) is { } columns)
                {
                    nodes.Add(stage.Name, new StageNode(stage, new StageCounters(stage.Name, stage.Kind)) { Schema = columns });
                }
            }
        }
        if (problems.Count == 0)
        {
            problems.AddRange(ExpectationColumns.Problems(pipeline.Expectations,
                nodes.Values.Where(n => n.Sink is not null).Select(n => (n.Name, n.Schema))));
        }
        return (nodes, problems);
    }

    /// <summary>Builds the pipeline to check it, as a run would, and lets go of what was built (an http sink holds
    /// an <see cref="HttpClient"/>).</summary>
    public static void Check(PipelineDefinition pipeline, BuildContext context) =>
        DisposeStagesAsync(Build(pipeline, context)).AsTask().GetAwaiter().GetResult();

    /// <summary>Disposes the built stages that no run will own (a run disposes its own when it ends): every sink, and
    /// every source or transform that holds something to let go of (<see cref="IAsyncDisposable"/> or
    /// <see cref="IDisposable"/>: a connection, a client).</summary>
    public static async ValueTask DisposeStagesAsync(IEnumerable<StageNode> nodes)
    {
        foreach (var node in nodes)
        {
            if (node.Sink is not null)
            {
                await node.Sink.DisposeAsync();
            }
            else if (((object?)node.Source ?? node.Transform) is { } stage)
            {
                if (stage is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync();
                }
                else if (stage is IDisposable disposable)
                {
                    disposable.Dispose();
                }
            }
        }
    }

    private static StageNode? Create(StageDefinition stage, List<StageNode?> inputs, PipelineDefinition pipeline, BuildContext context,
        Func<string, ISource, ISource>? replaceSource)
    {
        var counters = new StageCounters(stage.Name, stage.Kind, stage.Inputs);
        context = context.ForStage(stage.Name);
        switch (stage.Options)
        {
            case UnbuiltStage { StandIn: { } standIn }:
                var columns = standIn.CreateTransform(InputSchema(stage, inputs), context).OutputSchema;
                return new StageNode(stage, counters) { Schema = columns };
            case UnbuiltStage:
                return null;
            case ISourceOptions source:
                RefuseConcurrency(stage, "source", "a source reads its input in order");
                var instance = source.CreateSource(SourceContext(stage, pipeline, context));
                instance = replaceSource?.Invoke(stage.Name, instance) ?? instance;
                return new StageNode(stage, counters) { Source = instance, Schema = instance.Schema };
            case ITransformOptions transform:
                var input = InputSchema(stage, inputs);
                var t = transform.CreateTransform(input, context);
                int lanes = Concurrency(stage, t, pipeline);
                return new StageNode(stage, counters)
                {
                    Transform = t,
                    Schema = t.OutputSchema,
                    Lanes = lanes == 1 ? [] : [t, .. Enumerable.Range(1, lanes - 1).Select(_ => transform.CreateTransform(input, context))],
                };
            case ISinkOptions sink:
                RefuseConcurrency(stage, "sink", "a sink writes its output in order; the http sink's max_requests_in_flight sets its requests in flight");
                var schema = InputSchema(stage, inputs);
                return new StageNode(stage, counters) { Sink = sink.CreateSink(schema, context), Schema = schema };
            default:
                throw new PipelineException(stage.Location, $"stage '{stage.Name}' has options of type {stage.Options.GetType().Name}, which is not a source, transform or sink");
        }
    }

    /// <summary>Batches transform <paramref name="stage"/> applies at the same time: its own policy's concurrency,
    /// else the pipeline's when the transform is stateless (a stateful one's output depends on its input's order,
    /// so the pipeline-wide setting leaves it alone, and setting it on the stage itself is an error).</summary>
    private static int Concurrency(StageDefinition stage, ITransform transform, PipelineDefinition pipeline)
    {
        int? own = stage.Resilience?.Concurrency;
        if (transform is IStatefulTransform)
        {
            return own is null or 1 ? 1 : throw new PipelineException(stage.Location,
                $"transform '{stage.Name}': resilience.concurrency must be 1 for a stateful transform (its state depends on the order of its input); remove it");
        }
        int concurrency = own ?? pipeline.Resilience.Concurrency;
        if (concurrency is < 1 or > ResiliencePolicy.MaxConcurrency)
        {
            throw new PipelineException(stage.Location,
                $"transform '{stage.Name}': resilience.concurrency must be from 1 to {ResiliencePolicy.MaxConcurrency}; found {concurrency}");
        }
        return concurrency;
    }

    private static void RefuseConcurrency(StageDefinition stage, string kind, string why)
    {
        if (stage.Resilience is { Concurrency: not 1 })
        {
            throw new PipelineException(stage.Location,
                $"{kind} '{stage.Name}': resilience.concurrency applies to transforms only ({why}); remove it");
        }
    }

    /// <summary>The build context of a source: its own resilience policy when it has one (an API source retries
    /// its reads), and, when it feeds exactly one stage that is a contract, the contract's fields, so that sources
    /// whose records name their own keys (JSONL, http) emit the columns the contract expects.</summary>
    private static BuildContext SourceContext(StageDefinition source, PipelineDefinition pipeline, BuildContext context)
    {
        var consumers = pipeline.Stages.Where(s => s.Inputs.Contains(source.Name)).ToList();
        return new BuildContext(context.BaseDirectory, context.RunId)
        {
            PipelineName = context.PipelineName,
            StageName = source.Name,
            BatchSize = context.BatchSize,
            FollowPoll = context.FollowPoll,
            ResolveSecrets = context.ResolveSecrets,
            Resilience = source.Resilience ?? context.Resilience,
            ReadHint = consumers is [{ Options: ContractOptions contract }]
                ? new SourceReadHint(contract.Fields.Select(f => f.Name).ToList(), contract.UnknownFields)
                : context.ReadHint,
        };
    }

    private static Schema InputSchema(StageDefinition stage, List<StageNode?> inputs)
    {
        var first = inputs[0]!.Schema;
        foreach (var other in inputs.Skip(1))
        {
            if (!SameColumns(first, other!.Schema))
            {
                throw new PipelineException(stage.Location,
                    $"stage '{stage.Name}' unions '{inputs[0]!.Name}' ({Describe(first)}) with '{other.Name}' ({Describe(other.Schema)}); " +
                    "a union needs the same columns and types: add a `select` to line them up");
            }
        }
        return first;
    }

    private static bool SameColumns(Schema a, Schema b) =>
        a.FieldsList.Count == b.FieldsList.Count &&
        a.FieldsList.Zip(b.FieldsList).All(p => p.First.Name == p.Second.Name && p.First.DataType.TypeId == p.Second.DataType.TypeId);

    private static string Describe(Schema schema) =>
        string.Join(", ", schema.FieldsList.Select(f => $"{f.Name} {f.DataType.Name}"));
}
