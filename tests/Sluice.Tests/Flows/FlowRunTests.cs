using System.Text.Json.Nodes;
using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class FlowRunTests : FlowTest
{
    [Fact]
    public async Task Tasks_run_after_what_they_depend_on_and_read_its_result()
    {
        var order = new List<string>();
        Func<TaskContext, CancellationToken, Task<JsonNode?>> Step(string name, Func<TaskContext, JsonNode?> result) => async (context, _) =>
        {
            lock (order)
            {
                order.Add(name);
            }
            await System.Threading.Tasks.Task.Delay(20);
            return result(context);
        };
        var flow = Flow()
            .Task("report", t => t.Run(Step("report", c => JsonValue.Create((int)c.Upstream["left"]! + (int)c.Upstream["right"]!))).DependsOn("left", "right"))
            .Task("extract", t => t.Run(Step("extract", _ => JsonValue.Create(20))))
            .Task("left", t => t.Run(Step("left", c => JsonValue.Create((int)c.Upstream["extract"]! + 1))).DependsOn("extract"))
            .Task("right", t => t.Run(Step("right", c => JsonValue.Create((int)c.Upstream["extract"]! * 2))).DependsOn("extract"))
            .Build();

        var result = await RunAsync(flow);

        Assert.Equal(RunState.Succeeded, result.State);
        Assert.Equal("extract", order[0]);
        Assert.Equal("report", order[^1]);
        Assert.Equal("61", Task(result, "report").Result); // (20 + 1) + 20 * 2
        Assert.All(result.Tasks, t => Assert.Equal((TaskState.Completed, 1), (t.State, t.Attempts)));
    }

    [Fact]
    public async Task Every_state_change_is_an_event_and_a_failed_task_skips_what_depends_on_it()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow()
            .Task("a", t => t.Run(Counting(calls, "a")))
            .Task("b", t => t.Run(Counting(calls, "b", failOn: _ => true)).DependsOn("a"))
            .Task("c", t => t.Run(Counting(calls, "c")).DependsOn("b"))
            .Task("d", t => t.Run(Counting(calls, "d")).DependsOn("a"))
            .Build();

        var result = await RunAsync(flow);

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal("task 'b' failed: b fails on call 1", result.Run.Run.Error);
        Assert.Equal((TaskState.Skipped, "'b' failed"), (Task(result, "c").State, Task(result, "c").Error));
        Assert.Equal(TaskState.Completed, Task(result, "d").State);
        Assert.False(calls.ContainsKey("c"));
        var events = (await EventsAsync(result)).GroupBy(e => e.Task).ToDictionary(g => g.Key, g => g.Select(e => e.State).ToList());
        Assert.Equal([TaskState.Running, TaskState.Completed], events["a"]);
        Assert.Equal([TaskState.Running, TaskState.Failed], events["b"]);
        Assert.Equal([TaskState.Skipped], events["c"]);
    }

    [Fact]
    public async Task A_failed_flow_run_is_resumed_and_its_completed_tasks_are_not_run_again()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow()
            .Task("a", t => t.Run(Counting(calls, "a")))
            .Task("b", t => t.Run(Counting(calls, "b", failOn: call => call == 1)).DependsOn("a"))
            .Task("c", t => t.Run(Counting(calls, "c")).DependsOn("b"))
            .Build();

        var first = await RunAsync(flow);
        var second = await RunAsync(flow);

        Assert.Equal((RunState.Failed, RunState.Succeeded), (first.State, second.State));
        Assert.True(second.Resumed);
        Assert.Equal(first.Run.Run.Id, second.Run.Run.Id);
        Assert.Equal((1, 2, 1), (calls["a"], calls["b"], calls["c"]));
        Assert.Equal(2, Task(second, "b").Attempts);
        var fresh = await RunAsync(flow, new FlowRunRequest { Fresh = true });
        Assert.NotEqual(second.Run.Run.Id, fresh.Run.Run.Id);
        Assert.Equal(2, calls["a"]);
    }

    [Fact]
    public async Task A_task_left_running_by_a_dead_process_is_recorded_crashed_and_run_again()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow().Task("a", t => t.Run(Counting(calls, "a"))).Task("b", t => t.Run(Counting(calls, "b")).DependsOn("a")).Build();
        // What a process killed while b ran leaves: the run running, a completed, b running.
        var store = new SqliteFlowStore(Store);
        var run = (await store.StartFlowRunAsync("f", "", new Dictionary<string, string>(), FlowRunner.DefinitionHash(flow), null, FlowTaskGraph.Of(flow), default))!;
        var now = DateTimeOffset.UtcNow;
        await store.SaveAsync([
            new TaskRunRecord(run.Run.Id, "a", -1, null, TaskState.Completed, 1, now, now, null, null, "7", null, null),
            new TaskRunRecord(run.Run.Id, "b", -1, null, TaskState.Running, 1, now, null, null, null, null, null, null),
        ], null, default);

        var result = await RunAsync(flow);

        Assert.True(result.Resumed);
        Assert.Equal(RunState.Succeeded, result.State);
        Assert.False(calls.ContainsKey("a"));
        Assert.Equal((TaskState.Completed, 2), (Task(result, "b").State, Task(result, "b").Attempts));
        Assert.Equal([TaskState.Running, TaskState.Crashed, TaskState.Running, TaskState.Completed],
            (await EventsAsync(result)).Where(e => e.Task == "b").Select(e => e.State));
    }

    [Fact]
    public async Task Cancelling_a_flow_run_cancels_its_running_task_and_the_next_run_resumes_it()
    {
        using var started = new SemaphoreSlim(0);
        var calls = new Dictionary<string, int>();
        var flow = Flow()
            .Task("quick", t => t.Run(Counting(calls, "quick")))
            .Task("slow", t => t.Run(async (context, ct) =>
            {
                started.Release();
                if (context.Attempt == 1)
                {
                    await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(30), ct);
                }
                return 2;
            }).DependsOn("quick"))
            .Build();
        using var cancel = new CancellationTokenSource();

        var running = RunAsync(flow, cancellationToken: cancel.Token);
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        await cancel.CancelAsync();
        var cancelled = await running;
        var resumed = await RunAsync(flow);

        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal((TaskState.Completed, TaskState.Cancelled), (Task(cancelled, "quick").State, Task(cancelled, "slow").State));
        Assert.Equal((cancelled.Run.Run.Id, RunState.Succeeded), (resumed.Run.Run.Id, resumed.State));
        Assert.Equal((1, 2), (calls["quick"], Task(resumed, "slow").Attempts)); // quick kept its result; slow ran again
    }

    [Fact]
    public async Task Flow_cancel_from_the_state_file_stops_a_running_flow_and_the_next_run_resumes_it_to_the_end()
    {
        int calls = 0;
        var flow = Flow().Task("slow", t => t.Run(async (_, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(30), ct);
            }
            return null;
        })).Build();
        var running = RunAsync(flow);
        var store = new SqliteFlowStore(Store);
        FlowRunRecord? run = null;
        Assert.True(SpinWait.SpinUntil(() => (run = store.ListFlowRunsAsync("f", 1, default).Result.FirstOrDefault()) is not null, TimeSpan.FromSeconds(10)));

        Assert.True(await store.RequestCancelAsync(run!.Run.Id, default));
        var result = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunState.Cancelled, result.State);
        Assert.False(await store.RequestCancelAsync(run.Run.Id, default)); // ended: nothing to cancel
        // The request was for the run that ended: the resumed run is not cancelled by it.
        var resumed = await RunAsync(flow).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((run.Run.Id, RunState.Succeeded, 2), (resumed.Run.Run.Id, resumed.State, calls));
    }

    [Fact]
    public async Task Parameters_take_their_defaults_and_a_missing_or_unknown_one_is_refused_before_anything_runs()
    {
        var seen = new List<string>();
        var flow = Flow().Parameter("date", "2024-01-01").Parameter("region")
            .Task("a", t => t.Run((c, _) =>
            {
                seen.Add($"{c.Parameters["date"]} {c.Parameters["region"]}");
                return System.Threading.Tasks.Task.FromResult<JsonNode?>(null);
            }))
            .Build();

        var missing = await Assert.ThrowsAsync<PipelineException>(() => RunAsync(flow));
        var unknown = await Assert.ThrowsAsync<PipelineException>(() => RunAsync(flow, new FlowRunRequest { Parameters = new Dictionary<string, string> { ["region"] = "eu", ["colour"] = "red" } }));
        var result = await RunAsync(flow, new FlowRunRequest { Parameters = new Dictionary<string, string> { ["region"] = "eu" } });

        Assert.Contains("parameter 'region' of flow 'f' has no default", missing.Message);
        Assert.Contains("flow 'f' has no parameter 'colour'; it declares: date, region", unknown.Message);
        Assert.Single(await new SqliteFlowStore(Store).ListFlowRunsAsync("f", 10, default)); // the refused ones left no run
        Assert.Equal(["2024-01-01 eu"], seen);
        Assert.Equal(RunState.Succeeded, result.State);
    }

    [Fact]
    public async Task A_flow_run_with_other_parameters_is_a_new_run_not_a_resumed_one()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow().Parameter("n", "1").Task("a", t => t.Run(Counting(calls, "a", failOn: _ => true))).Build();

        var one = await RunAsync(flow);
        var two = await RunAsync(flow, new FlowRunRequest { Parameters = new Dictionary<string, string> { ["n"] = "2" } });

        Assert.False(two.Resumed);
        Assert.NotEqual(one.Run.Run.Id, two.Run.Run.Id);
        Assert.Equal("2", two.Run.Parameters["n"]);
    }

    [Fact]
    public async Task A_task_whose_reference_cannot_be_filled_fails_with_the_reason()
    {
        var flow = Flow().Task("a", t => t.Command("echo", "${partition}")).Build();

        var result = await RunAsync(flow);

        Assert.Equal(TaskState.Failed, Task(result, "a").State);
        Assert.Equal("${partition}: only a partitioned flow has a partition", Task(result, "a").Error);
    }

    [Fact]
    public async Task A_second_run_of_a_running_flow_is_refused_naming_the_flow_not_a_pipeline()
    {
        using var started = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var flow = Flow("busy").Task("wait", t => t.Run(async (_, ct) =>
        {
            started.Release();
            await release.WaitAsync(ct);
            return null;
        })).Build();
        var first = RunAsync(flow);
        await started.WaitAsync(TimeSpan.FromSeconds(10));

        var refused = await Assert.ThrowsAsync<LeaseHeldException>(() => RunAsync(flow));
        release.Release();
        await first;

        Assert.StartsWith("flow 'busy' is already being run by ", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A flow whose tasks fail one after another names the first to fail, not the first in the file: what
    /// fails later is often the first failure's consequence.</summary>
    [Fact]
    public async Task A_failed_flow_run_names_the_task_that_failed_first()
    {
        var flow = Flow("two")
            .Task("late", t => t.Run(async (_, ct) =>
            {
                await System.Threading.Tasks.Task.Delay(300, ct);
                throw new TaskFailedException("late failure");
            }))
            .Task("early", t => t.Run((_, _) => throw new TaskFailedException("early failure")))
            .Build();

        var result = await RunAsync(flow);

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal("task 'early' failed: early failure", result.Run.Run.Error);
    }
}
