namespace Sluice.Flows;

/// <summary>Which partitions <see cref="FlowBackfill"/> fills, and how.</summary>
/// <param name="From">The first day, included; within the flow's partitions.</param>
/// <param name="To">The last day, included; within the flow's partitions.</param>
public sealed record BackfillRequest(DateOnly From, DateOnly To)
{
    /// <summary>Partitions' flow runs going on at once at most. The default value is 4.</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Values of the flow's parameters for every partition's run; the rest take their defaults.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Called (on any thread, one call at a time) as each partition's run ends, for live output.</summary>
    public Action<PartitionOutcome>? OnEnded { get; init; }
}
