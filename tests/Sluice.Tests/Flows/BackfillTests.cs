using System.Text.Json.Nodes;
using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class BackfillTests : FlowTest
{
    private static DateOnly Day(int day) => new(2024, 1, day);

    /// <summary>A daily flow from 1 January whose one task records each partition it computes, and fails the first
    /// time it computes one listed in <paramref name="failOnce"/>.</summary>
    private FlowDefinition Daily(List<string> computed, params string[] failOnce) => Flow("metrics")
        .DailyPartitions(Day(1), Day(31))
        .Task("compute", t => t.Run((context, _) =>
        {
            string partition = context.Partition!;
            bool fail;
            lock (computed)
            {
                fail = failOnce.Contains(partition) && !computed.Contains(partition);
                computed.Add(partition);
            }
            return fail ? throw new TaskFailedException($"no data for {partition} yet") : System.Threading.Tasks.Task.FromResult<JsonNode?>(partition);
        }))
        .Build();

    [Fact]
    public async Task Backfill_runs_exactly_the_missing_and_failed_partitions_and_a_second_one_does_nothing()
    {
        var computed = new List<string>();
        var flow = Daily(computed, failOnce: "2024-01-04");
        await RunAsync(flow, new FlowRunRequest { Partition = "2024-01-02" });
        var failed = await RunAsync(flow, new FlowRunRequest { Partition = "2024-01-04" });
        Assert.Equal(RunState.Failed, failed.State);
        int before = computed.Count;

        var backfill = new FlowBackfill(Store, new FlowRunnerOptions { PollInterval = TimeSpan.FromMilliseconds(100) });
        var first = await backfill.RunAsync(flow, new BackfillRequest(Day(1), Day(6)));
        var second = await backfill.RunAsync(flow, new BackfillRequest(Day(1), Day(6)));

        Assert.Equal(["2024-01-02"], first.AlreadySucceeded);
        Assert.Equal(["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"], first.Ran.Select(r => r.Partition));
        Assert.True(first.Succeeded);
        Assert.Equal(["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"], computed.Skip(before).Order());
        // The failed partition's run was resumed, not started anew.
        Assert.Equal(failed.Run.Run.Id, first.Ran.Single(r => r.Partition == "2024-01-04").Result!.Run.Run.Id);
        Assert.Empty(second.Ran);
        Assert.Equal(6, second.AlreadySucceeded.Count);
    }

    [Fact]
    public async Task A_partition_that_fails_again_is_reported_and_the_others_still_run()
    {
        var computed = new List<string>();
        var flow = Flow("metrics").DailyPartitions(Day(1))
            .Task("compute", t => t.Run((context, _) => context.Partition == "2024-01-02"
                ? throw new TaskFailedException("broken day") : System.Threading.Tasks.Task.FromResult<JsonNode?>(null)))
            .Build();
        var ended = new List<string>();

        var result = await new FlowBackfill(Store).RunAsync(flow, new BackfillRequest(Day(1), Day(3)) { OnEnded = o => ended.Add(o.Partition) });

        Assert.False(result.Succeeded);
        var broken = result.Ran.Single(r => !r.Succeeded);
        Assert.Equal(("2024-01-02", "task 'compute' failed: broken day"), (broken.Partition, broken.Error));
        Assert.Equal(3, ended.Count);
    }

    [Fact]
    public async Task No_more_than_parallel_partitions_run_at_once()
    {
        int running = 0, most = 0;
        var flow = Flow("metrics").DailyPartitions(Day(1))
            .Task("compute", t => t.Run(async (_, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await System.Threading.Tasks.Task.Delay(150, ct);
                Interlocked.Decrement(ref running);
                return null;
            }))
            .Build();

        var result = await new FlowBackfill(Store).RunAsync(flow, new BackfillRequest(Day(1), Day(8)) { Parallel = 3 });

        Assert.Equal(8, result.Ran.Count(r => r.Succeeded));
        Assert.Equal(3, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Theory]
    [InlineData(2, 1, 4, "the range starts (2024-01-02) after it ends (2024-01-01)")]
    [InlineData(1, 2, 0, "parallel must be at least 1, not 0")]
    public async Task A_bad_request_is_refused_before_anything_runs(int from, int to, int parallel, string reason)
    {
        var flow = Daily([]);

        var e = await Assert.ThrowsAsync<FlowException>(() => new FlowBackfill(Store).RunAsync(flow, new BackfillRequest(Day(from), Day(to)) { Parallel = parallel }));

        Assert.StartsWith(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Days_outside_the_partitions_or_a_flow_without_partitions_are_refused_saying_which_days_to_give()
    {
        var outside = await Assert.ThrowsAsync<FlowException>(() =>
            new FlowBackfill(Store).RunAsync(Daily([]), new BackfillRequest(new DateOnly(2023, 12, 30), Day(2))));
        var plain = Flow("plain").Task("a", t => t.Run((_, _) => System.Threading.Tasks.Task.FromResult<JsonNode?>(null))).Build();
        var none = await Assert.ThrowsAsync<FlowException>(() => new FlowBackfill(Store).RunAsync(plain, new BackfillRequest(Day(1), Day(2))));

        Assert.Equal("2023-12-30 is not a partition of flow 'metrics', whose partitions are daily from 2024-01-01 to 2024-01-31: give days from 2024-01-01 to 2024-01-31", outside.Message);
        Assert.Contains("flow 'plain' has no partitions", none.Message, StringComparison.Ordinal);
    }

    /// <summary>The probe that found it: a backfill ending on 9999-12-31 failed with "Value to add was out of range".</summary>
    [Fact]
    public async Task A_backfill_can_end_on_the_last_day_there_is()
    {
        var computed = new List<string>();
        var flow = Flow("end").DailyPartitions(new DateOnly(9999, 12, 1))
            .Task("compute", t => t.Run((context, _) =>
            {
                lock (computed)
                {
                    computed.Add(context.Partition!);
                }
                return System.Threading.Tasks.Task.FromResult<JsonNode?>(null);
            }))
            .Build();

        var backfill = await new FlowBackfill(Store).RunAsync(flow, new BackfillRequest(new DateOnly(9999, 12, 30), DateOnly.MaxValue));

        Assert.True(backfill.Succeeded);
        Assert.Equal(["9999-12-30", "9999-12-31"], computed.Order());
    }
}
