using Sluice.Pipelines;

namespace Sluice.Bench.Micro;

/// <summary>The graphs measured: how many channel hops and workers a batch goes through.</summary>
public enum Graph
{
    /// <summary>source → sink: one channel hop, two workers.</summary>
    SourceSink,

    /// <summary>source → 3 pass-through transforms → sink: four hops, five workers.</summary>
    ThreeTransforms,

    /// <summary>source → two sinks: every batch is written to two channels.</summary>
    FanOut,
}

internal static class GraphPipelines
{
    public static PipelineDefinition Pipeline(this Graph graph, PrebuiltSourceOptions source) => new($"micro-{graph}", graph switch
    {
        Graph.SourceSink =>
        [
            new("source", source, []),
            new("sink", new DiscardSinkOptions(), ["source"]),
        ],
        Graph.ThreeTransforms =>
        [
            new("source", source, []),
            new("t1", new PassThroughOptions(), ["source"]),
            new("t2", new PassThroughOptions(), ["t1"]),
            new("t3", new PassThroughOptions(), ["t2"]),
            new("sink", new DiscardSinkOptions(), ["t3"]),
        ],
        Graph.FanOut =>
        [
            new("source", source, []),
            new("sink1", new DiscardSinkOptions(), ["source"]),
            new("sink2", new DiscardSinkOptions(), ["source"]),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, null),
    });
}
