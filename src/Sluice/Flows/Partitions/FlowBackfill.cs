using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Flows;

/// <summary>
/// Computes a partitioned flow over past days (<c>sluice flow backfill</c>): how a new metric gets computed over
/// historical data. Runs the partitions of a range whose newest run did not succeed — never run, failed, cancelled or
/// interrupted — each as its own flow run (so each can fail, be retried and be looked at alone), a few at once. A
/// failed partition's run is resumed, so its completed tasks are not run again. Running it twice does nothing the
/// second time, whatever parameters it is given: to compute succeeded partitions again, run them with
/// <c>sluice flow run --fresh</c>.
/// </summary>
public sealed class FlowBackfill
{
    private readonly SqliteFlowStore _store;
    private readonly FlowRunner _runner;

    public FlowBackfill(SqliteStateStore store, FlowRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = new SqliteFlowStore(store);
        _runner = new FlowRunner(store, options);
    }

    /// <summary>Runs the range's missing and failed partitions, at most <see cref="BackfillRequest.Parallel"/> at
    /// once. Cancelling the token starts no more of them and cancels the running ones (a next backfill resumes them).</summary>
    /// <exception cref="FlowException">The flow has no partitions, the range is empty or leaves the flow's partitions,
    /// or <see cref="BackfillRequest.Parallel"/> is below 1: nothing was run.</exception>
    /// <exception cref="PipelineException">The flow's checks fail, or a parameter is unknown or missing.</exception>
    public async Task<BackfillResult> RunAsync(FlowDefinition flow, BackfillRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(request);
        var days = Days(flow, request);
        if (FlowChecks.Problems(flow) is { Count: > 0 } problems)
        {
            throw new PipelineException(problems);
        }
        FlowRunner.ResolveParameters(flow, request.Parameters, FlowPartitions.Key(request.From)); // before anything runs
        var latest = await _store.LatestByPartitionAsync(flow.Name, cancellationToken);
        var keys = days.Select(FlowPartitions.Key).ToList();
        var done = keys.Where(k => latest.GetValueOrDefault(k)?.Run.State == RunState.Succeeded).ToList();
        var runs = new List<Task<PartitionOutcome>>();
        var notifyLock = new Lock();
        using var slots = new SemaphoreSlim(request.Parallel);
        foreach (string partition in keys.Except(done))
        {
            try
            {
                await slots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break; // the runs going on end cancelled and are reported; the rest were never started
            }
            runs.Add(RunPartitionAsync(flow, partition, request, slots, notifyLock, cancellationToken));
        }
        return new BackfillResult(done, await Task.WhenAll(runs));
    }

    private async Task<PartitionOutcome> RunPartitionAsync(FlowDefinition flow, string partition, BackfillRequest request,
        SemaphoreSlim slots, Lock notifyLock, CancellationToken cancellationToken)
    {
        PartitionOutcome outcome;
        try
        {
            var result = await _runner.RunAsync(flow, new FlowRunRequest { Partition = partition, Parameters = request.Parameters }, cancellationToken);
            outcome = new PartitionOutcome(partition, result, result!.State == RunState.Succeeded ? null : result.Run.Run.Error ?? result.State.ToString());
        }
        catch (LeaseHeldException)
        {
            outcome = new PartitionOutcome(partition, null, "another process is running this partition; it was left to it");
        }
        finally
        {
            slots.Release();
        }
        lock (notifyLock)
        {
            request.OnEnded?.Invoke(outcome);
        }
        return outcome;
    }

    /// <summary>The range's days, after checking that it is one the flow has.</summary>
    private static List<DateOnly> Days(FlowDefinition flow, BackfillRequest request)
    {
        if (flow.Partitions is not { } partitions)
        {
            throw new FlowException($"flow '{flow.Name}' has no partitions, so there is nothing to backfill: declare them (partitions: daily from 2024-01-01)");
        }
        if (request.Parallel < 1)
        {
            throw new FlowException($"parallel must be at least 1, not {request.Parallel}");
        }
        if (request.From > request.To)
        {
            throw new FlowException($"the range starts ({FlowPartitions.Key(request.From)}) after it ends ({FlowPartitions.Key(request.To)}): give the earlier day first");
        }
        foreach (var day in new[] { request.From, request.To }.Where(d => !partitions.Contains(d)))
        {
            throw new FlowException($"{FlowPartitions.Key(day)} is not a partition of flow '{flow.Name}', whose partitions are {partitions}: " +
                $"give days from {FlowPartitions.Key(partitions.From)}{(partitions.To is { } to ? $" to {FlowPartitions.Key(to)}" : " on")}");
        }
        var days = new List<DateOnly>();
        // By day number: the day after 9999-12-31 does not exist, so a loop adding a day to the last would throw.
        for (int day = request.From.DayNumber; day <= request.To.DayNumber; day++)
        {
            days.Add(DateOnly.FromDayNumber(day));
        }
        return days;
    }
}
