namespace Sluice.Flows;

/// <summary>What a <see cref="FlowServer"/> did about one slot of a flow's schedule.</summary>
/// <param name="Slot">The slot, in UTC.</param>
/// <param name="Partition">The partition the slot's run computes; empty for a flow without partitions.</param>
/// <param name="Result">How the run ended, for <see cref="ScheduledRunStage.Ended"/>.</param>
public sealed record ScheduledRun(string Flow, DateTimeOffset Slot, string Partition, ScheduledRunStage Stage, FlowRunResult? Result = null);

/// <summary>Where a slot's run is.</summary>
public enum ScheduledRunStage
{
    /// <summary>The server waits for this slot, the flow's next one.</summary>
    Waiting,

    /// <summary>Its run is about to start (unless another process started it first: then <see cref="AlreadyRun"/> follows).</summary>
    Starting,

    /// <summary>Its run was interrupted (its process died or was stopped) and is resumed: its completed tasks are kept.</summary>
    Resuming,

    /// <summary>Its run ended; see <see cref="ScheduledRun.Result"/>.</summary>
    Ended,

    /// <summary>The slot had its run already, by another <c>serve</c> process or before a restart: not run again.</summary>
    AlreadyRun,

    /// <summary>The slot's partition is outside the flow's partitions (before their first day or after their last): not run.</summary>
    OutsidePartitions,
}
