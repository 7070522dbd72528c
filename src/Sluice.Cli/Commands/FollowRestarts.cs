using Sluice.Cli.Rendering;
using Sluice.State;

namespace Sluice.Cli.Commands;

/// <summary>
/// What <c>run --follow</c> does when its run fails on something that may pass — a server away, a broken connection:
/// the kinds the pipeline's <c>resilience.retry.on</c> names — after the stage's own retries gave up: it resumes the
/// run from its last checkpoint in the same process after a wait, for as long as it takes, as a service supervisor
/// would, and says so on stderr each time. The waits start at <c>retry.delay</c> (at least a second: each try is a
/// whole run's start), double up to <c>retry.max_delay</c>, and start over after an attempt that committed a
/// checkpoint. A run without <c>--follow</c> fails instead: whatever started it decides whether to run it again.
/// </summary>
internal sealed class FollowRestarts(RetryPolicy retry)
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    private TimeSpan _next = First(retry);

    public int Count { get; private set; }

    /// <summary>Whether the failure of <paramref name="outcome"/> is one to resume after.</summary>
    public bool Covers(RunOutcome outcome) =>
        outcome.Run.State == RunState.Failed && outcome.Failure is { } failure && retry.On.Matches(failure);

    /// <summary>Says why and waits; false when <paramref name="stop"/> ended the wait (then nothing is resumed).</summary>
    public async Task<bool> WaitAsync(TextWriter log, string why, bool madeProgress, CancellationToken stop)
    {
        if (madeProgress)
        {
            _next = First(retry);
        }
        var wait = _next;
        _next = _next * 2 < retry.MaxDelay ? _next * 2 : (retry.MaxDelay > wait ? retry.MaxDelay : wait);
        Count++;
        log.WriteLine($"--follow: {why}; resuming in {Format.Duration(wait)} (restart {Count})");
        log.Flush();
        try
        {
            await Task.Delay(wait, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan First(RetryPolicy retry) => retry.Delay > Shortest ? retry.Delay : Shortest;
}
