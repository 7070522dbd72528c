namespace Sluice.Flows;

/// <summary>How one partition's flow run in a backfill ended.</summary>
/// <param name="Result">The run; null when it could not start (<paramref name="Error"/> says why).</param>
/// <param name="Error">Why the partition did not succeed; null when it did.</param>
public sealed record PartitionOutcome(string Partition, FlowRunResult? Result, string? Error)
{
    public bool Succeeded => Result?.State == RunState.Succeeded;
}

/// <summary>What a backfill found and did.</summary>
/// <param name="AlreadySucceeded">Partitions in the range whose newest run had succeeded: not run again.</param>
/// <param name="Ran">The others, each run (or resumed, keeping its completed tasks) as its own flow run, in partition order.</param>
public sealed record BackfillResult(IReadOnlyList<string> AlreadySucceeded, IReadOnlyList<PartitionOutcome> Ran)
{
    public bool Succeeded => Ran.All(r => r.Succeeded);
}
