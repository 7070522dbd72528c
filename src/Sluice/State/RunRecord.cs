using Sluice.State;
namespace Sluice;

/// <summary>One run as kept in the state store. Generic on purpose (<see cref="Kind"/>, <see cref="ParentRunId"/>)
/// so that later kinds of runs (flows, tasks) share the table.</summary>
/// <param name="RecordsRead">Records all sources read, dead-lettered ones included.</param>
/// <param name="RecordsWritten">Records all sinks processed (wrote, published or not; a record sent to two sinks
/// counts twice). <see cref="RecordsPublished"/> says how many of them a checkpoint committed.</param>
/// <param name="Filtered">Records filters and dedupes dropped, over all stages.</param>
/// <param name="DeadLettered">Dead letters the run's stages made (one per rejected record and stage).</param>
public sealed record RunRecord(
    string Id,
    string Pipeline,
    string Kind,
    string? ParentRunId,
    RunState State,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long RecordsRead,
    long RecordsWritten,
    long Filtered,
    long DeadLettered,
    string? Error)
{
    public TimeSpan? Duration => EndedAt - StartedAt;

    /// <summary>Records the sinks published: committed by the run's last checkpoint, so visible in the output (a
    /// record published by two sinks counts twice). Equals <see cref="RecordsWritten"/> for a succeeded run; a run
    /// that failed, was stopped or crashed wrote records after its last checkpoint that were never published.</summary>
    public long RecordsPublished { get; init; }
}
