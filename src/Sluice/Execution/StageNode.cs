using Apache.Arrow;
using Sluice.Pipelines;

namespace Sluice.Execution;

/// <summary>A stage of a built pipeline: its definition, the one instance that does its work, and its neighbours.</summary>
internal sealed class StageNode
{
    public StageNode(StageDefinition definition, StageCounters counters)
    {
        Definition = definition;
        Counters = counters;
    }

    public StageDefinition Definition { get; }
    public StageCounters Counters { get; }
    public string Name => Definition.Name;
    public StageKind Kind => Definition.Kind;

    public ISource? Source { get; init; }
    public ITransform? Transform { get; init; }

    /// <summary>For a transform whose <c>resilience.concurrency</c> is more than 1: one instance per batch it may
    /// apply at the same time (the first is <see cref="Transform"/>), because an instance is used by one thread at a
    /// time; empty otherwise.</summary>
    public IReadOnlyList<ITransform> Lanes { get; init; } = [];
    public ISink? Sink { get; init; }

    /// <summary>Schema of the batches this stage emits (for a sink: of the batches it receives).</summary>
    public required Schema Schema { get; init; }

    public List<StageNode> Downstream { get; } = [];
    public List<StageNode> Upstream { get; } = [];
}
