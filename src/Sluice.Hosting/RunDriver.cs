using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>
/// Drives one run of a hosted pipeline from start to end, as <c>sluice run</c> does: start (or resume) it, turn the
/// host's stopping token into <see cref="PipelineRun.RequestStop"/> (no new input, drain, final checkpoint), and log
/// how it ended. The <c>abort</c> token cancels the run at once; it fires only when the host's shutdown timeout runs
/// out. A run that fails or cannot start is logged, never thrown: it must not stop the host.
/// </summary>
internal sealed class RunDriver(PipelineDefinition pipeline, PipelineRunner runner, ILogger logger, CancellationToken abort)
{
    // Read by the schedule loop while the run goes on in another task.
    private volatile string? _currentRunId;

    /// <summary>The run in progress, for the log line of a skipped slot; null between runs.</summary>
    public string? CurrentRunId => _currentRunId;

    /// <summary>Runs the pipeline once, or logs why it could not.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        PipelineRun run;
        try
        {
            run = await runner.StartAsync(pipeline, fresh: false, abort);
        }
        catch (LeaseHeldException e)
        {
            PipelineLog.LeaseHeld(logger, pipeline.Name, e.Holder, e.ExpiresAt);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException || !abort.IsCancellationRequested)
        {
            // PipelineException, StateFileException, a lost prepared output...: the next slot tries again.
            PipelineLog.StartFailed(logger, pipeline.Name, e.Message.ReplaceLineEndings(" "), e);
            return;
        }
        _currentRunId = run.Id;
        try
        {
            foreach (string abandoned in run.AbandonedRuns)
                PipelineLog.Abandoned(logger, pipeline.Name, abandoned);
            if (run.ResumedFrom is { } resumed)
                PipelineLog.Resumed(logger, pipeline.Name, run.Id, resumed.Checkpoint, resumed.RecordsCommitted);
            else
                PipelineLog.Started(logger, pipeline.Name, run.Id);
            RunOutcome outcome;
            using (stopping.Register(() =>
            {
                PipelineLog.Stopping(logger, pipeline.Name, run.Id);
                run.RequestStop();
            }))
            {
                outcome = await run.Completion;
            }
            LogOutcome(outcome);
        }
        finally
        {
            _currentRunId = null;
        }
    }

    private void LogOutcome(RunOutcome outcome)
    {
        RunRecord run = outcome.Run;
        TimeSpan duration = run.Duration ?? TimeSpan.Zero;
        switch (run.State)
        {
            case RunState.Succeeded or RunState.Stopped:
                string how = run.State == RunState.Succeeded ? "succeeded" : "stopped (checkpointed; the next start resumes it)";
                PipelineLog.Finished(logger, pipeline.Name, run.Id, how, duration,
                    run.RecordsRead, run.RecordsWritten, run.DeadLettered, run.Filtered, outcome.Published.Count);
                break;
            case RunState.QualityGateFailed:
                PipelineLog.GateBroken(logger, pipeline.Name, run.Id, run.DeadLettered, run.RecordsRead, outcome.Error);
                break;
            case RunState.Cancelled:
                PipelineLog.Cancelled(logger, pipeline.Name, run.Id);
                break;
            default:
                PipelineLog.Failed(logger, pipeline.Name, run.Id, duration, outcome.Error);
                break;
        }
    }
}
