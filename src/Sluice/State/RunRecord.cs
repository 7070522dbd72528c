namespace Sluice.State;

/// <summary>One run as kept in the state store. Generic on purpose (<see cref="Kind"/>, <see cref="ParentRunId"/>)
/// so that later kinds of runs (flows, tasks) share the table.</summary>
/// <param name="RecordsRead">Records all sources read, dead-lettered ones included.</param>
/// <param name="RecordsWritten">Records all sinks received (a record sent to two sinks counts twice).</param>
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
}
