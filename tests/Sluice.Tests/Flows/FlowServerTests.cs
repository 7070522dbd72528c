using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Sluice.Flows;
using Sluice.State.Sqlite;

namespace Sluice.Tests.Flows;

/// <summary><see cref="FlowServer"/> on a fake clock: which slots run, once each, across restarts and two servers.</summary>
public sealed class FlowServerTests : FlowTest
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A running server and what it reported; disposing it stops it and waits for it.</summary>
    private sealed class Serving : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<ScheduledRun> _events = [];

        public Serving(SqliteStateStore store, FakeTimeProvider clock, params FlowDefinition[] flows)
        {
            var server = new FlowServer(store, new FlowRunnerOptions { Time = clock, PollInterval = TimeSpan.FromMilliseconds(50) }, e =>
            {
                lock (_events)
                {
                    _events.Add(e);
                }
            });
            Task = server.ServeAsync(flows, _stop.Token);
        }

        public Task Task { get; }

        public List<ScheduledRun> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        /// <summary>How many times it started waiting for a next slot: advance the clock only once it does, or the
        /// server may read the clock after the advance and take the slot for one that passed before it started.</summary>
        public int Waits => Events.Count(e => e.Stage == ScheduledRunStage.Waiting);

        /// <summary>The slots whose runs ended here, in the order they ended.</summary>
        public List<DateTimeOffset> Ran => [.. Events.Where(e => e.Stage == ScheduledRunStage.Ended).Select(e => e.Slot)];

        public async Task WaitForAsync(Func<Serving, bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!condition(this))
            {
                if (Task.IsFaulted)
                {
                    await Task;
                }
                Assert.True(DateTime.UtcNow < deadline, "waited 30 s; the server reported: " +
                    string.Join("; ", Events.Select(e => $"{e.Slot:HH:mm} {e.Stage} {e.Result?.State}")));
                await System.Threading.Tasks.Task.Delay(10);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task;
            _stop.Dispose();
        }
    }

    private FlowDefinition Nightly(List<string> partitions, CatchUp catchUp = CatchUp.Latest) => Flow("nightly")
        .Schedule("0 2 * * *", catchUp: catchUp)
        .DailyPartitions(new DateOnly(2024, 1, 1))
        .Task("compute", t => t.Run((context, _) =>
        {
            lock (partitions)
            {
                partitions.Add(context.Partition!);
            }
            return System.Threading.Tasks.Task.FromResult<JsonNode?>(null);
        }))
        .Build();

    [Fact]
    public async Task Each_slot_runs_when_it_comes_and_computes_the_day_before()
    {
        var clock = new FakeTimeProvider(Utc("2024-01-10T12:00"));
        var partitions = new List<string>();
        await using var serving = new Serving(Store, clock, Nightly(partitions));

        for (int day = 11; day <= 13; day++)
        {
            await serving.WaitForAsync(s => s.Waits == day - 10);
            clock.Advance(TimeSpan.FromDays(1));
            await serving.WaitForAsync(s => s.Ran.Count == day - 10);
        }

        Assert.Equal([Utc("2024-01-11T02:00"), Utc("2024-01-12T02:00"), Utc("2024-01-13T02:00")], serving.Ran);
        Assert.Equal(["2024-01-10", "2024-01-11", "2024-01-12"], partitions);
        Assert.All(serving.Events.Where(e => e.Stage == ScheduledRunStage.Ended), e => Assert.Equal(RunState.Succeeded, e.Result!.State));
    }

    [Fact]
    public async Task A_slot_whose_day_is_before_the_first_partition_is_skipped_and_said()
    {
        var clock = new FakeTimeProvider(Utc("2024-01-10T12:00"));
        var partitions = new List<string>();
        var flow = Nightly(partitions) with { Partitions = FlowPartitions.Daily(new DateOnly(2024, 1, 11)) };
        await using var serving = new Serving(Store, clock, flow);

        await serving.WaitForAsync(s => s.Waits == 1);
        clock.Advance(TimeSpan.FromDays(1));
        await serving.WaitForAsync(s => s.Waits == 2);
        clock.Advance(TimeSpan.FromDays(1));
        await serving.WaitForAsync(s => s.Ran.Count == 1);

        Assert.Contains(serving.Events, e => e is { Stage: ScheduledRunStage.OutsidePartitions, Partition: "2024-01-10" });
        Assert.Equal(["2024-01-11"], partitions);
    }

    [Theory]
    [InlineData(CatchUp.Latest, new[] { "2024-01-08" })]
    [InlineData(CatchUp.All, new[] { "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08" })]
    [InlineData(CatchUp.None, new string[0])]
    public async Task Slots_missed_while_no_server_ran_follow_the_catch_up_policy(CatchUp catchUp, string[] caughtUp)
    {
        var partitions = new List<string>();
        var flow = Nightly(partitions, catchUp);
        var before = new FakeTimeProvider(Utc("2024-01-05T01:00"));
        await using (var first = new Serving(Store, before, flow))
        {
            await first.WaitForAsync(s => s.Waits == 1);
            before.Advance(TimeSpan.FromHours(1));
            await first.WaitForAsync(s => s.Ran.Count == 1); // the slot of 5 January 02:00
        }

        // Down from 5 January to 9 January noon: the slots of the 6th to the 9th were missed.
        var clock = new FakeTimeProvider(Utc("2024-01-09T12:00"));
        await using var serving = new Serving(Store, clock, flow);
        await serving.WaitForAsync(s => s.Ran.Count == caughtUp.Length && s.Waits == 1);
        clock.Advance(TimeSpan.FromDays(1));
        await serving.WaitForAsync(s => s.Ran.Count == caughtUp.Length + 1);

        // The slot of 10 January 02:00 (partition 9 January) comes after whatever was caught up, and nothing else ran.
        Assert.Equal(["2024-01-04", .. caughtUp, "2024-01-09"], partitions);
    }

    [Fact]
    public async Task Two_servers_on_one_state_file_and_a_restart_never_run_a_slot_twice()
    {
        var calls = new Dictionary<string, int>();
        var flow = Flow("hourly")
            .Schedule("0 * * * *")
            .Task("work", t => t.Run(async (context, ct) =>
            {
                await Counting(calls, "work")(context, ct);
                await System.Threading.Tasks.Task.Delay(50, ct); // long enough for the other server to try the slot meanwhile
                return null;
            }))
            .Build();
        var clock = new FakeTimeProvider(Utc("2024-01-01T00:30"));
        await using var otherProcess = await SqliteStateStore.OpenAsync(Dir.File(StatePath));
        var a = new Serving(Store, clock, flow);
        var b = new Serving(otherProcess, clock, flow);

        await a.WaitForAsync(_ => a.Waits == 1 && b.Waits == 1);
        for (int hour = 1; hour <= 3; hour++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            // Each slot is run by one server; the other finds it taken (or sees it run) and both wait for the next.
            await a.WaitForAsync(_ => a.Ran.Count + b.Ran.Count == hour && a.Waits == hour + 1 && b.Waits == hour + 1);
        }
        await a.DisposeAsync();
        await b.DisposeAsync();
        await using var restarted = new Serving(Store, clock, flow);
        await restarted.WaitForAsync(s => s.Waits == 1);
        clock.Advance(TimeSpan.FromHours(1));
        await restarted.WaitForAsync(s => s.Ran.Count == 1);

        Assert.Equal(4, calls["work"]);
        Assert.Equal([Utc("2024-01-01T04:00")], restarted.Ran); // not 03:00 again, which was the newest slot when it started
        var runs = await new SqliteFlowStore(Store).ListFlowRunsAsync("hourly", 100, default);
        Assert.Equal(4, runs.Select(r => r.ScheduledFor).Distinct().Count());
        Assert.Equal(4, runs.Count);
    }

    [Fact]
    public async Task Stopping_the_server_cancels_the_running_run_and_the_next_server_resumes_it_keeping_its_completed_tasks()
    {
        var calls = new Dictionary<string, int>();
        var started = new TaskCompletionSource();
        var flow = Flow("nightly")
            .Schedule("0 2 * * *")
            .Task("extract", t => t.Run(Counting(calls, "extract")))
            .Task("load", t => t.Run(async (context, ct) =>
            {
                var call = await Counting(calls, "load")(context, ct);
                if ((int)call! == 1)
                {
                    started.SetResult();
                    await System.Threading.Tasks.Task.Delay(Timeout.Infinite, ct); // until the server stops
                }
                return call;
            }).DependsOn("extract"))
            .Build();
        var clock = new FakeTimeProvider(Utc("2024-01-01T01:00"));
        var first = new Serving(Store, clock, flow);
        await first.WaitForAsync(s => s.Waits == 1);
        clock.Advance(TimeSpan.FromHours(1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await first.DisposeAsync();

        await using var second = new Serving(Store, clock, flow);
        await second.WaitForAsync(s => s.Ran.Count == 1);

        var cancelled = first.Events.Single(e => e.Stage == ScheduledRunStage.Ended).Result!;
        var resumed = second.Events.Single(e => e.Stage == ScheduledRunStage.Ended).Result!;
        Assert.Equal((RunState.Cancelled, RunState.Succeeded), (cancelled.State, resumed.State));
        Assert.Equal(cancelled.Run.Run.Id, resumed.Run.Run.Id);
        Assert.Contains(second.Events, e => e.Stage == ScheduledRunStage.Resuming && e.Slot == Utc("2024-01-01T02:00"));
        Assert.Equal((1, 2), (calls["extract"], calls["load"]));
    }

    [Fact]
    public async Task A_flow_without_a_schedule_or_with_a_required_parameter_is_refused_before_anything_runs()
    {
        var unscheduled = Flow("manual").Task("a", t => t.Run((_, _) => System.Threading.Tasks.Task.FromResult<JsonNode?>(null))).Build();
        var needsDate = Flow("dated").Schedule("0 2 * * *").Parameter("date")
            .Task("a", t => t.Run((_, _) => System.Threading.Tasks.Task.FromResult<JsonNode?>(null))).Build();

        var e = await Assert.ThrowsAsync<PipelineException>(() =>
            new FlowServer(Store).ServeAsync([unscheduled, needsDate], CancellationToken.None));

        Assert.Contains(e.Diagnostics, d => d.Message.Contains("flow 'manual' has no schedule", StringComparison.Ordinal));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("parameter 'date' of flow 'dated' has no default", StringComparison.Ordinal));
    }
}
