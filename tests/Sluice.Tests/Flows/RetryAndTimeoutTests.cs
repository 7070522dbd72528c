using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class RetryAndTimeoutTests : FlowTest
{
    [Fact]
    public async Task Retries_wait_the_delay_then_twice_as_long_on_the_clock_and_the_third_attempt_completes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var attempts = new List<DateTimeOffset>();
        var flow = Flow().Task("flaky", t => t.Run((context, _) =>
        {
            lock (attempts)
            {
                attempts.Add(clock.GetUtcNow());
            }
            return context.Attempt < 3 ? throw new TaskFailedException("not yet") : System.Threading.Tasks.Task.FromResult<JsonNode?>("done");
        }).Retries(5, TimeSpan.FromSeconds(10), jitter: false)).Build();
        var start = clock.GetUtcNow();
        int waiting = 0;
        var options = new FlowRunnerOptions
        {
            Time = clock,
            PollInterval = TimeSpan.FromMilliseconds(50),
            OnChange = row => { if (row.State == TaskState.Pending) { Interlocked.Increment(ref waiting); } },
        };

        var running = RunAsync(flow, options: options);
        int Attempts() { lock (attempts) { return attempts.Count; } }
        // Once the failure is recorded the task waits on the clock; advancing it a little at a time finds the moment it
        // tries again, which can only come later than the wait, never sooner.
        async Task AdvanceUntilAttempt(int attempt)
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref waiting) == attempt - 1, TimeSpan.FromSeconds(10)), "the failure was not recorded");
            await System.Threading.Tasks.Task.Delay(50);
            for (int step = 0; step < 200 && Attempts() < attempt; step++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await System.Threading.Tasks.Task.Delay(10);
            }
        }
        Assert.True(SpinWait.SpinUntil(() => Attempts() == 1, TimeSpan.FromSeconds(10)));
        await AdvanceUntilAttempt(2);
        await AdvanceUntilAttempt(3);
        var result = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, attempts.Count);
        Assert.InRange(attempts[1] - attempts[0], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12));
        Assert.InRange(attempts[2] - attempts[1], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(22));
        Assert.Equal(RunState.Succeeded, result.State);
        Assert.Equal((TaskState.Completed, 3, "\"done\""), (Task(result, "flaky").State, Task(result, "flaky").Attempts, Task(result, "flaky").Result));
        var events = (await EventsAsync(result)).Select(e => (e.State, e.Message)).ToList();
        Assert.Equal((TaskState.Pending, "attempt 1 failed: not yet; retrying in 10s"), events[1]);
        Assert.Equal((TaskState.Pending, "attempt 2 failed: not yet; retrying in 20s"), events[3]);
    }

    [Fact]
    public void Waits_double_up_to_the_longest_and_jitter_keeps_each_between_half_and_all_of_it()
    {
        var retry = new TaskRetry(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(r => retry.WaitBefore(r).TotalSeconds));
    }

    [Fact]
    public async Task A_task_out_of_retries_fails_with_its_last_error_after_every_attempt()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow().Task("down", t => t.Run(Counting(calls, "down", failOn: _ => true)).Retries(2, TimeSpan.FromMilliseconds(10))).Build();

        var result = await RunAsync(flow);

        Assert.Equal(3, calls["down"]);
        Assert.Equal((TaskState.Failed, 3, "down fails on call 3"), (Task(result, "down").State, Task(result, "down").Attempts, Task(result, "down").Error));
    }

    [Fact]
    public async Task An_attempt_past_its_timeout_is_stopped_and_counts_as_failed()
    {
        var flow = Flow().Task("stuck", t => t.Command("sleep", "30").Timeout(TimeSpan.FromMilliseconds(300))).Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await RunAsync(flow);

        Assert.Equal((TaskState.Failed, "timed out after 300ms"), (Task(result, "stuck").State, Task(result, "stuck").Error));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the command was not killed: {clock.Elapsed}");
    }
}
