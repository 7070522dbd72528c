using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Flows;

/// <summary>
/// Starts scheduled flows' runs when their slots come (<c>sluice serve</c>). Each flow is served on its own, all at
/// once; one flow's scheduled runs never overlap: a slot that comes while the previous run goes on waits for it, and
/// is then subject to the flow's <see cref="CatchUp"/> like one that passed while no server was running.
/// <para>A slot runs once: its run is recorded with <see cref="FlowRunRequest.ScheduledFor"/>, which the state file
/// keeps unique per flow, so a restarted server, or a second one on the same state file, finds the slot taken.</para>
/// <para>Where a flow's slots start: after the latest slot any server ran for it, found in the state file; for a flow
/// never scheduled before, after the moment this server started (earlier days are for <see cref="FlowBackfill"/>).
/// An interrupted run of the latest slot (its process died or was stopped) is resumed first.</para>
/// <para>Stopping (cancelling the token) starts no more runs and cancels the running ones at once: their running
/// tasks are cancelled (a command killed, a pipeline task stopped at its checkpoint) and each run ends cancelled;
/// the next server resumes it, keeping its completed tasks. Waiting for them to finish instead could take hours, and
/// a service manager would kill the process meanwhile.</para>
/// </summary>
public sealed class FlowServer
{
    private readonly SqliteFlowStore _store;
    private readonly FlowRunner _runner;
    private readonly FlowRunnerOptions _options;
    private readonly Action<ScheduledRun>? _onEvent;
    private readonly Lock _eventLock = new();

    /// <param name="onEvent">Called (on any thread, one call at a time) as each slot's run starts and ends.</param>
    public FlowServer(SqliteStateStore store, FlowRunnerOptions? options = null, Action<ScheduledRun>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = new SqliteFlowStore(store);
        _options = options ?? new FlowRunnerOptions();
        _runner = new FlowRunner(store, _options);
        _onEvent = onEvent;
    }

    /// <summary>The longest single wait for a slot, after which the clock is read again: a timer cannot wait beyond
    /// 49 days (a yearly schedule), and a clock set forward or back should not leave the server asleep.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private TimeProvider Time => _options.Time;

    /// <summary>Serves <paramref name="flows"/> until the token is cancelled (then returns once their runs ended
    /// cancelled) or a flow's run cannot be started at all (then throws, having cancelled the others).</summary>
    /// <exception cref="PipelineException">A flow has no schedule, two share a name, a flow has a parameter without a
    /// default (a scheduled run gives none), or a flow's checks fail.</exception>
    public async Task ServeAsync(IReadOnlyList<FlowDefinition> flows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var problems = Problems(flows);
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAll(flows.Select(async flow =>
        {
            try
            {
                await ServeAsync(flow, flow.Schedule!, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch
            {
                await stop.CancelAsync(); // one flow that cannot run stops the server rather than leave it half serving
                throw;
            }
        }));
    }

    /// <summary>Why these flows cannot be served (no schedule, a parameter without a default, a name twice), all at
    /// once; empty when they can.</summary>
    internal static List<Diagnostic> Problems(IReadOnlyList<FlowDefinition> flows)
    {
        var problems = new List<Diagnostic>();
        foreach (var flow in flows)
        {
            void Add(string message) => problems.Add(new Diagnostic(flow.Location, message));
            if (flow.Schedule is null)
            {
                Add($"flow '{flow.Name}' has no schedule: give it one (schedule: \"0 2 * * *\") or run it with `sluice flow run`");
            }
            foreach (var (name, _) in flow.Parameters.Where(p => p.Value is null))
            {
                Add($"parameter '{name}' of flow '{flow.Name}' has no default, and a scheduled run gives none: give it a default");
            }
            problems.AddRange(FlowChecks.Problems(flow));
        }
        foreach (var twice in flows.GroupBy(f => f.Name).Where(g => g.Count() > 1))
        {
            problems.Add(new Diagnostic(twice.Last().Location, $"two flows are named '{twice.Key}': runs are filed by name, so rename one"));
        }
        return problems;
    }

    private async Task ServeAsync(FlowDefinition flow, FlowSchedule schedule, CancellationToken cancellationToken)
    {
        var started = Time.GetUtcNow();
        var newest = await _store.NewestScheduledAsync(flow.Name, cancellationToken);
        if (newest is { ScheduledFor: { } interrupted } && SqliteFlowStore.IsInterrupted(newest))
        {
            await RunSlotAsync(flow, interrupted, ScheduledRunStage.Resuming, cancellationToken);
        }
        var after = newest?.ScheduledFor ?? started;
        if (schedule.CatchUp == CatchUp.None && after < started)
        {
            after = started;
        }
        DateTimeOffset? announced = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Another server on the state file may have run later slots meanwhile: go on after them.
            if ((await _store.NewestScheduledAsync(flow.Name, cancellationToken))?.ScheduledFor is { } latest && latest > after)
            {
                after = latest;
            }
            var now = Time.GetUtcNow();
            if (Due(schedule, after, now) is not { } slot)
            {
                var next = schedule.NextSlot(after);
                if (next is { } n && n != announced)
                {
                    announced = n;
                    Notify(new ScheduledRun(flow.Name, n, PartitionOf(flow, n)?.Key ?? "", ScheduledRunStage.Waiting));
                }
                await Task.Delay(next is { } wait && wait - now < MaxWait ? wait - now : MaxWait, Time, cancellationToken);
                continue;
            }
            await RunSlotAsync(flow, slot, ScheduledRunStage.Starting, cancellationToken);
            after = schedule.CatchUp == CatchUp.None ? Max(slot, Time.GetUtcNow()) : slot;
        }
    }

    /// <summary>The slot to run of those after <paramref name="after"/> that have come: the oldest for
    /// <see cref="CatchUp.All"/>, else the newest (for <see cref="CatchUp.None"/>, <paramref name="after"/> is
    /// already past the missed ones). Null when none has come.</summary>
    private static DateTimeOffset? Due(FlowSchedule schedule, DateTimeOffset after, DateTimeOffset now)
    {
        DateTimeOffset? picked = null;
        foreach (var slot in schedule.SlotsBetween(after, now))
        {
            picked = slot;
            if (schedule.CatchUp == CatchUp.All)
            {
                break;
            }
        }
        return picked;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private async Task RunSlotAsync(FlowDefinition flow, DateTimeOffset slot, ScheduledRunStage stage, CancellationToken cancellationToken)
    {
        string partition = "";
        if (PartitionOf(flow, slot) is { } day)
        {
            partition = day.Key;
            if (!day.Inside)
            {
                Notify(new ScheduledRun(flow.Name, slot, partition, ScheduledRunStage.OutsidePartitions));
                return;
            }
        }
        Notify(new ScheduledRun(flow.Name, slot, partition, stage));
        var request = new FlowRunRequest { Partition = partition.Length > 0 ? partition : null, ScheduledFor = slot };
        while (true)
        {
            try
            {
                var result = await _runner.RunAsync(flow, request, cancellationToken);
                Notify(new ScheduledRun(flow.Name, slot, partition, result is null ? ScheduledRunStage.AlreadyRun : ScheduledRunStage.Ended, result));
                return;
            }
            catch (LeaseHeldException)
            {
                // Another process runs the flow (this partition): maybe this very slot, maybe a run started by hand.
                // Once it ends, the slot is either taken (and skipped) or still to run.
                await Task.Delay(_options.PollInterval, cancellationToken);
            }
        }
    }

    /// <summary>The partition a slot's run computes, and whether the flow has it; null for a flow without partitions.</summary>
    private static (string Key, bool Inside)? PartitionOf(FlowDefinition flow, DateTimeOffset slot)
    {
        if (flow.Partitions is not { } partitions)
        {
            return null;
        }
        var day = FlowPartitions.ForSlot(slot, flow.Schedule!.TimeZone);
        return (FlowPartitions.Key(day), partitions.Contains(day));
    }

    private void Notify(ScheduledRun scheduled)
    {
        lock (_eventLock)
        {
            _onEvent?.Invoke(scheduled);
        }
    }
}
