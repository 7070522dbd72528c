using System.Net.Sockets;
using Sluice.Cli.Commands;
using Sluice.State;

namespace Sluice.Cli.Tests.Commands;

/// <summary>When a following run resumes itself after a failure, and how long it waits first (the whole behaviour,
/// with real servers, is in Sluice.Services.Tests' outage tests).</summary>
public sealed class FollowRestartsTests
{
    private static readonly RetryPolicy Retry = new() { Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5) };

    [Fact]
    public void A_failure_the_retry_policy_names_is_resumed_after_and_others_are_not()
    {
        var restarts = new FollowRestarts(Retry);

        Assert.True(restarts.Covers(Failed(new IOException("broken pipe", new SocketException(32)))));
        Assert.True(restarts.Covers(Failed(new InvalidOperationException("stage 'sink' failed", new TimeoutException()))));
        Assert.False(restarts.Covers(Failed(new InvalidOperationException("a bug"))));
        Assert.False(restarts.Covers(Failed(null)));
        Assert.False(new FollowRestarts(Retry with { On = new RetryOn { Io = false, Network = false, Timeouts = false } })
            .Covers(Failed(new IOException("disk"))));
    }

    [Fact]
    public async Task Waits_double_up_to_max_delay_and_start_over_after_progress()
    {
        var restarts = new FollowRestarts(Retry with { Delay = TimeSpan.FromMilliseconds(200) });
        var log = new StringWriter();
        using var stopped = new CancellationTokenSource();
        stopped.Cancel(); // the waits themselves are not waited for here

        foreach (bool progress in new[] { false, false, false, false, false, true })
        {
            Assert.False(await restarts.WaitAsync(log, "run R failed", progress, stopped.Token));
        }

        Assert.Equal(
            ["1.0 s (restart 1)", "2.0 s (restart 2)", "4.0 s (restart 3)", "5.0 s (restart 4)", "5.0 s (restart 5)", "1.0 s (restart 6)"],
            log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf("in ", StringComparison.Ordinal) + 3)..]));
    }

    private static RunOutcome Failed(Exception? failure) =>
        new(new RunRecord("R", "p", RunKinds.Pipeline, null, failure is null ? RunState.Cancelled : RunState.Failed,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 0, 0, 0, 0, "why"), [], "why", [])
        {
            Failure = failure,
        };
}
