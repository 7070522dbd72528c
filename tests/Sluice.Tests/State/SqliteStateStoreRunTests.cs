using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

public class SqliteStateStoreRunTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public async Task Started_and_finished_runs_come_back_with_every_field()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0.AddTicks(1234567));
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);

        var run = await store.StartRunAsync("flights");
        time.Now += TimeSpan.FromMilliseconds(500);
        var child = await store.StartRunAsync("flights", kind: "task", parentRunId: run.Id);
        time.Now += TimeSpan.FromMilliseconds(1000);
        await store.FinishRunAsync(run.Id, RunState.QualityGateFailed, new RunTotals(10, 7, 2, 1), "dead letters 10 % > 1 %");

        Assert.Matches("^20250304-050607-[0-9a-f]{6}$", run.Id);
        Assert.Equal(new RunRecord(run.Id, "flights", "pipeline", null, RunState.Running, T0.AddTicks(1234567), null, 0, 0, 0, 0, null), run);
        var finished = await store.FindRunAsync(run.Id);
        Assert.Equal(
            new RunRecord(run.Id, "flights", "pipeline", null, RunState.QualityGateFailed, T0.AddTicks(1234567),
                T0.AddTicks(1234567).AddMilliseconds(1500), 10, 7, 2, 1, "dead letters 10 % > 1 %"),
            finished);
        Assert.Equal(TimeSpan.Zero, finished!.StartedAt.Offset);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), finished.Duration);
        Assert.Equal(child, await store.FindRunAsync(child.Id));
        Assert.Equal("task", child.Kind);
        Assert.Equal(run.Id, child.ParentRunId);
        Assert.Equal([child, finished], await store.ListRunsAsync());
    }

    [Fact]
    public async Task A_run_that_did_not_succeed_can_be_reopened_to_resume_it_but_a_succeeded_one_cannot()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var failed = await store.StartRunAsync("p");
        await store.FinishRunAsync(failed.Id, RunState.Failed, new RunTotals(10, 5, 0, 1), "disk full");
        var done = await store.StartRunAsync("p");
        await store.FinishRunAsync(done.Id, RunState.Succeeded, new RunTotals(1, 1, 0, 0), null);

        await store.ReopenRunAsync(failed.Id);

        var reopened = await store.FindRunAsync(failed.Id);
        Assert.Equal((RunState.Running, null, null), (reopened!.State, reopened.EndedAt, reopened.Error));
        Assert.Equal(reopened.Id, (await store.FindUnfinishedRunAsync("p"))?.Id);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReopenRunAsync(done.Id));
        Assert.Equal(RunState.Succeeded, (await store.FindRunAsync(done.Id))!.State);
    }

    [Fact]
    public async Task A_run_can_be_started_with_an_id_chosen_beforehand_but_not_twice()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        string id = RunIds.New(DateTimeOffset.UtcNow);

        var run = await store.StartRunAsync("p", id: id);
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => store.StartRunAsync("p", id: id));

        Assert.Equal(id, run.Id);
        Assert.Equal(id, (await store.FindRunAsync(id))!.Id);
        Assert.Contains($"already has a run '{id}'", again.Message);
    }

    [Fact]
    public async Task Runs_list_newest_first_filtered_by_pipeline_and_limited()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var a1 = await store.StartRunAsync("a");
        time.Now += TimeSpan.FromMinutes(1);
        var b1 = await store.StartRunAsync("b");
        time.Now += TimeSpan.FromMinutes(1);
        // Same instant: the id breaks the tie.
        var a2 = await store.StartRunAsync("a");
        var a3 = await store.StartRunAsync("a");
        var (later, earlier) = string.CompareOrdinal(a2.Id, a3.Id) > 0 ? (a2, a3) : (a3, a2);

        Assert.Equal([later.Id, earlier.Id, b1.Id, a1.Id], (await store.ListRunsAsync()).Select(r => r.Id));
        Assert.Equal([later.Id, earlier.Id, a1.Id], (await store.ListRunsAsync("a")).Select(r => r.Id));
        Assert.Equal([b1.Id], (await store.ListRunsAsync("b")).Select(r => r.Id));
        Assert.Empty(await store.ListRunsAsync("c"));
        Assert.Equal([later.Id, earlier.Id], (await store.ListRunsAsync(limit: 2)).Select(r => r.Id));
    }

    [Fact]
    public async Task The_newest_run_is_found_by_kind_and_the_newest_unfinished_one_by_kind_too()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var pipelineRun = await store.StartRunAsync("p");
        time.Now += TimeSpan.FromSeconds(1);
        var replay = await store.StartRunAsync("p", RunKinds.Replay);
        time.Now += TimeSpan.FromSeconds(1);
        var finished = await store.StartRunAsync("p", RunKinds.Replay);
        await store.FinishRunAsync(finished.Id, RunState.Failed, new RunTotals(0, 0, 0, 0), "x");
        await store.StartRunAsync("q");

        Assert.Equal(pipelineRun.Id, (await store.FindLatestRunAsync("p", RunKinds.Pipeline))?.Id);
        Assert.Equal(finished.Id, (await store.FindLatestRunAsync("p", RunKinds.Replay))?.Id); // in any state
        Assert.Equal(replay.Id, (await store.FindUnfinishedRunAsync("p"))?.Id);
        Assert.Equal(replay.Id, (await store.FindUnfinishedRunAsync("p", RunKinds.Replay))?.Id);
        Assert.Equal(pipelineRun.Id, (await store.FindUnfinishedRunAsync("p", RunKinds.Pipeline))?.Id);
        Assert.Null(await store.FindLatestRunAsync("none", RunKinds.Pipeline));
    }

    [Fact]
    public async Task Find_takes_an_exact_id_or_a_unique_prefix()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var first = await store.StartRunAsync("p");
        time.Now += TimeSpan.FromSeconds(1);
        var second = await store.StartRunAsync("p");

        Assert.Equal(first.Id, (await store.FindRunAsync(first.Id))?.Id);
        Assert.Equal(second.Id, (await store.FindRunAsync(second.Id))?.Id);
        Assert.Equal(first.Id, (await store.FindRunAsync("20250304-050607"))?.Id);
        Assert.Equal(second.Id, (await store.FindRunAsync("20250304-050608-"))?.Id);
        Assert.Null(await store.FindRunAsync("20250304-05060")); // both
        Assert.Null(await store.FindRunAsync("2024"));
        Assert.Null(await store.FindRunAsync(first.Id + "0"));
        Assert.Null(await store.FindRunAsync("%"));
        Assert.Null(await store.FindRunAsync(""));
    }

    [Fact]
    public async Task Finishing_an_unknown_run_fails()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.FinishRunAsync("nope", RunState.Succeeded, new RunTotals(0, 0, 0, 0), null));
        Assert.Contains("'nope'", error.Message);
    }

    [Fact]
    public async Task Saved_stage_counts_replace_the_previous_ones_in_list_order()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var run = await store.StartRunAsync("p");
        var other = await store.StartRunAsync("p");
        StageCounts[] otherStages = [new("source", StageKind.Source, 0, 5, 0, 0, TimeSpan.FromMilliseconds(3))];
        await store.SaveStageCountsAsync(other.Id, otherStages);

        await store.SaveStageCountsAsync(run.Id, [
            new("source", StageKind.Source, 0, 10, 0, 0, TimeSpan.FromMilliseconds(5)),
            new("checks", StageKind.Contract, 10, 9, 0, 1, TimeSpan.FromMilliseconds(6)),
            new("out", StageKind.Sink, 9, 9, 0, 0, TimeSpan.FromMilliseconds(7)),
        ]);
        StageCounts[] latest =
        [
            new("zeta", StageKind.Source, 0, 100, 0, 0, TimeSpan.FromMilliseconds(1250)),
            new("filter", StageKind.Transform, 100, 60, 38, 2, TimeSpan.FromSeconds(2)),
            new("alpha", StageKind.Sink, 60, 60, 0, 0, TimeSpan.FromMilliseconds(999)),
        ];
        await store.SaveStageCountsAsync(run.Id, latest);

        Assert.Equal(latest, await store.GetStageCountsAsync(run.Id));
        Assert.Equal(otherStages, await store.GetStageCountsAsync(other.Id));
        Assert.Empty(await store.GetStageCountsAsync("unknown"));
    }
}
