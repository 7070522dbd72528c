using Sluice.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>
/// The hosted service of one pipeline: loads and checks it when the host starts (an invalid pipeline fails the start),
/// then runs it on its <see cref="PipelineSchedule"/>. One service per pipeline, so that each has its own schedule, its
/// own lease and its own log lines, and a slow one never delays another.
/// On shutdown the run in progress drains into a final checkpoint; if the host's shutdown timeout runs out first the
/// run is cancelled, and <see cref="StopAsync"/> still waits for it to end so the state store is not disposed under it.
/// </summary>
internal sealed class PipelineService(
    string name, PipelineOptions options, SluiceOptions sluice, IStateStore store, string contentRoot,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<PipelineService> logger) : BackgroundService
{
    private readonly CancellationTokenSource _abort = new();
    private PipelineDefinition? _pipeline;

    /// <summary>When the host started this service: slots count from here, not from when <see cref="ExecuteAsync"/>
    /// gets a thread (since .NET 10 it runs on the thread pool, and the clock may have moved on by then).</summary>
    private DateTimeOffset _startedAt;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _pipeline = Load();
        _startedAt = time.GetUtcNow();
        PipelineLog.Scheduled(logger, name, options.Schedule.ToString());
        return base.StartAsync(cancellationToken);
    }

    /// <summary>The pipeline under its registered name (which keys its runs and lease in the state store). A file is
    /// checked as <c>sluice validate</c> does (throwing <see cref="PipelineException"/> with every problem); a
    /// definition built in code is checked by each run as it starts, since the engine's checks are not public.</summary>
    private PipelineDefinition Load() => options.File is { } file
        ? PipelineFile.Load(Path.Combine(contentRoot, file), sluice.Components) with { Name = name }
        : options.Definition! with { Name = name };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Continuous runs follow their input; the others end with it.
        var runnerOptions = options.Schedule.Kind == ScheduleKind.Continuous
            ? sluice.Runner with { FollowPoll = sluice.Runner.FollowPoll ?? TimeSpan.FromSeconds(1) }
            : sluice.Runner;
        var driver = new RunDriver(_pipeline!, new PipelineRunner(store, runnerOptions), logger, _abort.Token);
        var alerts = WatchPromisesAsync(stoppingToken);
        switch (options.Schedule.Kind)
        {
            case ScheduleKind.Once:
                await RunOnceAsync(driver, stoppingToken);
                break;
            case ScheduleKind.Continuous:
                await RunContinuouslyAsync(driver, stoppingToken);
                break;
            default:
                await RunOnSlotsAsync(driver, stoppingToken);
                break;
        }
        if (stoppingToken.IsCancellationRequested)
            PipelineLog.ServiceStopped(logger, name);
        await alerts; // judging goes on while the host runs, also after a last run of a schedule
    }

    /// <summary>Judges the pipeline's <c>freshness:</c> and <c>sla:</c> while the service runs, as <c>sluice serve</c>
    /// does: each miss recorded once in the state file (so several hosts on it never report one twice), logged
    /// (events 16 to 18) and sent to its webhook until accepted. A state store other than SQLite keeps no misses: then
    /// nothing is judged, and the start says so.</summary>
    private Task WatchPromisesAsync(CancellationToken stoppingToken)
    {
        var policy = _pipeline!.Alerts;
        if (policy.Freshness is null && policy.Sla is null)
            return Task.CompletedTask;
        if (store is not SqliteStateStore sqlite)
        {
            PipelineLog.PromisesUnwatched(logger, name, store.GetType().Name);
            return Task.CompletedTask;
        }
        var monitor = new AlertMonitor(sqlite, [new AlertTarget(AlertSubjectKind.Pipeline, name, policy)], new AlertMonitorOptions
        {
            Time = time,
            OnEvent = e =>
            {
                switch (e.Kind)
                {
                    case AlertEventKind.Missed:
                        PipelineLog.AlertMissed(logger, name, e.Alert.Kind.ToString().ToLowerInvariant(), e.Alert.Detail, e.Alert.Key);
                        break;
                    case AlertEventKind.Sent:
                        PipelineLog.AlertSent(logger, name, e.Alert.Key, e.Alert.Attempts);
                        break;
                    default:
                        PipelineLog.AlertSendFailed(logger, name, e.Alert.Key, e.Alert.Attempts, e.Error, e.NextAttemptAt);
                        break;
                }
            },
        });
        return JudgeAsync(monitor, stoppingToken);
    }

    /// <summary>A failure to judge (the state file busy or unreadable a moment) is logged and judging starts again a
    /// little later: it must not stop the host, whose pipelines run on regardless.</summary>
    private async Task JudgeAsync(AlertMonitor monitor, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await monitor.RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                PipelineLog.PromisesFailed(logger, name, e.Message, e);
                await WaitUntilAsync(time.GetUtcNow() + TimeSpan.FromSeconds(30), stoppingToken);
            }
        }
    }

    private async Task RunOnceAsync(RunDriver driver, CancellationToken stoppingToken)
    {
        await driver.RunAsync(stoppingToken);
        if (options.StopHostWhenDone)
            lifetime.StopApplication();
    }

    private async Task RunContinuouslyAsync(RunDriver driver, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await driver.RunAsync(stoppingToken);
            if (stoppingToken.IsCancellationRequested)
                return;
            PipelineLog.Retrying(logger, name, options.RetryDelay);
            if (!await WaitUntilAsync(time.GetUtcNow() + options.RetryDelay, stoppingToken))
                return;
        }
    }

    /// <summary>Starts a run at each slot without waiting for it, so that the next slot is seen on time; a slot that
    /// comes while the last run still goes on is skipped. On shutdown, waits for that run to drain.</summary>
    private async Task RunOnSlotsAsync(RunDriver driver, CancellationToken stoppingToken)
    {
        Task running = Task.CompletedTask;
        DateTimeOffset? slot = options.Schedule.NextSlot(_startedAt);
        while (slot is { } at && await WaitUntilAsync(at, stoppingToken))
        {
            // On the thread pool: starting a run (resuming, publishing a checkpoint again) must not hold up this loop.
            if (running.IsCompleted)
                running = Task.Run(() => driver.RunAsync(stoppingToken), CancellationToken.None);
            else
                PipelineLog.SlotSkipped(logger, name, at, driver.CurrentRunId);
            // From the slot, not from now: a timer that fires a little early must not give the same slot twice.
            slot = options.Schedule.NextSlot(at);
        }
        if (slot is null)
            PipelineLog.NoMoreSlots(logger, name, options.Schedule.ToString());
        await running;
    }

    /// <summary>Task.Delay refuses waits over about 49 days, and a yearly slot is further away than that.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>Waits until <paramref name="at"/> by the host's clock; false when the host began stopping first.</summary>
    private async Task<bool> WaitUntilAsync(DateTimeOffset at, CancellationToken stoppingToken)
    {
        try
        {
            for (var left = at - time.GetUtcNow(); left > TimeSpan.Zero; left = at - time.GetUtcNow())
                await Task.Delay(left < LongestWait ? left : LongestWait, time, stoppingToken);
            return !stoppingToken.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Returns when the run has drained, or when the host's token fires: its ShutdownTimeout ran out.
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false } executing)
        {
            _abort.Cancel();
            await executing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }
}
