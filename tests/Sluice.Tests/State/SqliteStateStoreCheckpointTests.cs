using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

public class SqliteStateStoreCheckpointTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_committed_checkpoint_comes_back_with_every_field_and_sets_the_run_counts_and_dead_letters()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var run = await store.StartRunAsync("flights");
        var lease = await store.AcquireLeaseAsync("flights", "me", Ttl);
        byte[] keys = [0, 1, 2, 0xFF, 0xFE];
        StageCounts[] counts =
        [
            new("read", StageKind.Source, 0, 9, 0, 1, TimeSpan.FromMilliseconds(120)) { Retries = 4, Timeouts = 1, CircuitOpenings = 2, CircuitClosings = 1 },
            new("dedupe", StageKind.Transform, 9, 7, 2, 0, TimeSpan.FromMilliseconds(3)),
            new("out", StageKind.Sink, 7, 7, 0, 0, TimeSpan.FromMilliseconds(45)),
        ];
        var checkpoint = new CheckpointRecord(run.Id, 1, T0.AddTicks(1234567), TimeSpan.FromMilliseconds(42), 7,
            new Dictionary<string, string> { ["read"] = """{"file":"data/b.csv","offset":1024}""", ["other \"source\""] = "é/ü" },
            new Dictionary<string, byte[]> { ["dedupe"] = keys, ["empty"] = [] },
            new Dictionary<string, string> { ["out"] = "out/.part-000001.inprogress" },
            counts,
            [new("out", "out/part-000001.parquet"), new("out", "out/part-000002.parquet")],
            [new("data/a.csv", """{"size":2048}"""), new("data/b.csv", "opaque to the store")]);
        time.Now += TimeSpan.FromSeconds(1);

        await store.CommitCheckpointAsync(lease, checkpoint, [
            new("read", OriginViews.FileOrigin("data/a.csv", 3, new byte[] { 0xC3, 0x28 }), DeadLetterReason.Parse, null, null, "not UTF-8"),
        ]);
        var latest = await store.GetLatestCheckpointAsync(run.Id);

        Assert.NotNull(latest);
        Assert.Equal((run.Id, 1L, T0.AddTicks(1234567), TimeSpan.FromMilliseconds(42), 7L),
            (latest.RunId, latest.Id, latest.CreatedAt, latest.Duration, latest.RecordsCommitted));
        Assert.Equal(checkpoint.SourcePositions.OrderBy(p => p.Key), latest.SourcePositions.OrderBy(p => p.Key));
        Assert.Equal(checkpoint.SinkTokens, latest.SinkTokens);
        Assert.Equal(2, latest.OperatorState.Count);
        Assert.Equal(keys, latest.OperatorState["dedupe"]);
        Assert.Empty(latest.OperatorState["empty"]);
        Assert.Equal(counts, latest.Counts);
        Assert.Equal(checkpoint.Files, latest.Files);
        Assert.Equal(checkpoint.InputMarks, latest.InputMarks);
        Assert.Equal(counts, await store.GetStageCountsAsync(run.Id));
        var letter = Assert.Single(await store.ListDeadLettersAsync(new(RunId: run.Id)));
        Assert.Equal(("flights", "read", 3L, T0.AddSeconds(1)), (letter.Pipeline, letter.Stage, letter.Line, letter.CreatedAt));
        Assert.Equal([0xC3, 0x28], letter.Original);
        Assert.Equal([new CheckpointSummary(1, T0.AddTicks(1234567), TimeSpan.FromMilliseconds(42), 7)], await store.ListCheckpointsAsync(run.Id));
    }

    [Fact]
    public async Task Later_checkpoints_add_to_the_manifests_and_only_the_latest_keeps_its_operator_state()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(path, time, default);
        var run = await store.StartRunAsync("p");
        var lease = await store.AcquireLeaseAsync("p", "me", Ttl);

        await store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 1, 100, state: [1], files: ["out/1"], consumed: ["in/a"]), []);
        await store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 2, 250, state: [2, 2], files: ["out/2", "out/3"], consumed: []), []);
        await store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 3, 300, state: [3], files: [], consumed: ["in/b", "in/c"]), []);

        var latest = await store.GetLatestCheckpointAsync(run.Id);
        Assert.Equal((3L, 300L), (latest!.Id, latest.RecordsCommitted));
        Assert.Equal([3], latest.OperatorState["t"]);
        Assert.Empty(latest.Files);
        Assert.Equal(["in/b", "in/c"], latest.InputMarks.Select(f => f.Input));
        Assert.Equal([1L, 2L, 3L], (await store.ListCheckpointsAsync(run.Id)).Select(c => c.Id));
        Assert.Equal([100L, 250L, 300L], (await store.ListCheckpointsAsync(run.Id)).Select(c => c.RecordsCommitted));
        Assert.Equal(["out/1", "out/2", "out/3"], (await store.ListCommittedFilesAsync(run.Id)).Select(f => f.Path));
        Assert.Equal(["in/a", "in/b", "in/c"], (await store.ListInputMarksAsync("p")).Select(f => f.Input));
        Assert.Equal("1", await ScalarAsync(path, "SELECT count(*) FROM checkpoint_state"));
        Assert.Null(await store.GetLatestCheckpointAsync("no-such-run"));
        Assert.Empty(await store.ListCommittedFilesAsync("no-such-run"));
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_over_cannot_commit_and_nothing_of_its_checkpoint_is_stored()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        var time = new ManualTime(T0);
        // Two processes on one file: the first pauses past its lease's expiry, the second takes over and resumes.
        await using var paused = await SqliteStateStore.OpenAsync(path, time, default);
        await using var successor = await SqliteStateStore.OpenAsync(path, time, default);
        var run = await paused.StartRunAsync("p");
        var oldLease = await paused.AcquireLeaseAsync("p", "paused", Ttl);
        await paused.CommitCheckpointAsync(oldLease, Checkpoint(run.Id, 1, 10, state: [1], files: ["out/1"], consumed: ["in/a"]), [Letter("first")]);
        time.Now += Ttl;
        var newLease = await successor.AcquireLeaseAsync("p", "successor", Ttl);

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => paused.CommitCheckpointAsync(oldLease,
            Checkpoint(run.Id, 2, 20, state: [2], files: ["out/2"], consumed: ["in/b"]), [Letter("stale")]));

        Assert.Contains("successor took it over (epoch 2)", lost.Message, StringComparison.Ordinal);
        Assert.Equal([1L], (await successor.ListCheckpointsAsync(run.Id)).Select(c => c.Id));
        Assert.Equal([1], (await successor.GetLatestCheckpointAsync(run.Id))!.OperatorState["t"]);
        Assert.Equal(["out/1"], (await successor.ListCommittedFilesAsync(run.Id)).Select(f => f.Path));
        Assert.Equal(["in/a"], (await successor.ListInputMarksAsync("p")).Select(f => f.Input));
        Assert.Equal(["first"], (await successor.ListDeadLettersAsync(new(RunId: run.Id))).Select(l => l.Message));
        Assert.Equal(10, Assert.Single(await successor.GetStageCountsAsync(run.Id)).Out);

        // The successor resumes with checkpoint 2 under its own lease.
        await successor.CommitCheckpointAsync(newLease, Checkpoint(run.Id, 2, 20, state: [2], files: ["out/2"], consumed: []), []);
        Assert.Equal([1L, 2L], (await paused.ListCheckpointsAsync(run.Id)).Select(c => c.Id));
    }

    [Fact]
    public async Task An_expired_lease_cannot_commit_even_if_nobody_took_it_over()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var run = await store.StartRunAsync("p");
        var lease = await store.AcquireLeaseAsync("p", "me", Ttl);
        time.Now += Ttl;

        await Assert.ThrowsAsync<LeaseLostException>(() => store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 1, 1, [], [], []), [Letter("x")]));

        Assert.Empty(await store.ListCheckpointsAsync(run.Id));
        Assert.Empty(await store.ListDeadLettersAsync(new()));
    }

    [Fact]
    public async Task Checkpoint_ids_must_follow_one_another_and_a_gap_or_a_repeat_stores_nothing()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var run = await store.StartRunAsync("p");
        var lease = await store.AcquireLeaseAsync("p", "me", Ttl);

        var early = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 2, 1, [], ["out/x"], []), []));
        await store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 1, 1, [], ["out/1"], []), []);
        var repeat = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 1, 2, [], ["out/y"], []), [Letter("repeat")]));
        var gap = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.CommitCheckpointAsync(lease, Checkpoint(run.Id, 3, 3, [], ["out/z"], []), []));

        Assert.Equal($"cannot commit checkpoint 2 of run {run.Id}: its last committed checkpoint is 0, so the next must be 1", early.Message);
        Assert.Equal($"cannot commit checkpoint 1 of run {run.Id}: its last committed checkpoint is 1, so the next must be 2", repeat.Message);
        Assert.Equal($"cannot commit checkpoint 3 of run {run.Id}: its last committed checkpoint is 1, so the next must be 2", gap.Message);
        Assert.Equal([new CheckpointSummary(1, T0, TimeSpan.FromMilliseconds(5), 1)], await store.ListCheckpointsAsync(run.Id));
        Assert.Equal(["out/1"], (await store.ListCommittedFilesAsync(run.Id)).Select(f => f.Path));
        Assert.Empty(await store.ListDeadLettersAsync(new()));
    }

    [Fact]
    public async Task A_checkpoint_for_an_unknown_an_ended_or_another_pipelines_run_is_refused()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), new ManualTime(T0), default);
        var ended = await store.StartRunAsync("p");
        await store.FinishRunAsync(ended.Id, RunState.Failed, new RunTotals(0, 0, 0, 0), "boom");
        var others = await store.StartRunAsync("q");
        var lease = await store.AcquireLeaseAsync("p", "me", Ttl);

        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitCheckpointAsync(lease, Checkpoint("nope", 1, 0, [], [], []), []));
        var finished = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitCheckpointAsync(lease, Checkpoint(ended.Id, 1, 0, [], [], []), []));
        var foreign = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitCheckpointAsync(lease, Checkpoint(others.Id, 1, 0, [], [], []), []));

        Assert.Equal("cannot commit checkpoint 1: the state file has no run 'nope'", unknown.Message);
        Assert.Equal($"cannot commit checkpoint 1 of run {ended.Id}: the run has already ended (failed)", finished.Message);
        Assert.Equal($"cannot commit checkpoint 1 of run {others.Id}: the run is of pipeline 'q' but the lease is for 'p'", foreign.Message);
        Assert.Empty(await store.ListCheckpointsAsync(ended.Id));
        Assert.Empty(await store.ListCheckpointsAsync(others.Id));
    }

    [Fact]
    public async Task Consumed_files_are_the_pipelines_across_runs_and_a_path_keeps_what_was_consumed_of_it_last()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), new ManualTime(T0), default);
        var lease = await store.AcquireLeaseAsync("p", "me", Ttl);
        var first = await store.StartRunAsync("p");
        await store.CommitCheckpointAsync(lease, Checkpoint(first.Id, 1, 0, [], [], ["in/a", "in/b"]), []);
        await store.FinishRunAsync(first.Id, RunState.Succeeded, new RunTotals(0, 0, 0, 0), null);
        var second = await store.StartRunAsync("p");

        await store.CommitCheckpointAsync(lease, Checkpoint(second.Id, 1, 0, [], [], ["in/c"]) with
        {
            InputMarks = [new("in/a", "mark-of-in/a"), new("in/a", "grown"), new("in/c", "mark-of-in/c")],
        }, []);

        // in/a grew: its older mark is superseded, so a file read on every run keeps one row.
        Assert.Equal([new("in/a", "grown"), new("in/b", "mark-of-in/b"), new InputMark("in/c", "mark-of-in/c")], await store.ListInputMarksAsync("p"));
        Assert.Empty(await store.ListInputMarksAsync("q"));
        // A file read again belongs to the newest checkpoint that read it.
        Assert.Equal(["in/b"], (await store.GetLatestCheckpointAsync(first.Id))!.InputMarks.Select(f => f.Input));
    }

    [Fact]
    public async Task The_unfinished_run_to_resume_is_the_pipelines_newest_running_one()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        Assert.Null(await store.FindUnfinishedRunAsync("p"));
        var older = await store.StartRunAsync("p");
        time.Now += TimeSpan.FromMinutes(1);
        var newer = await store.StartRunAsync("p");
        time.Now += TimeSpan.FromMinutes(1);
        var finished = await store.StartRunAsync("p");
        await store.FinishRunAsync(finished.Id, RunState.Succeeded, new RunTotals(0, 0, 0, 0), null);
        var other = await store.StartRunAsync("q");

        Assert.Equal(newer, await store.FindUnfinishedRunAsync("p"));
        await store.FinishRunAsync(newer.Id, RunState.Cancelled, new RunTotals(0, 0, 0, 0), null);
        Assert.Equal(older, await store.FindUnfinishedRunAsync("p"));
        await store.FinishRunAsync(older.Id, RunState.Failed, new RunTotals(0, 0, 0, 0), "x");
        Assert.Null(await store.FindUnfinishedRunAsync("p"));
        Assert.Equal(other, await store.FindUnfinishedRunAsync("q"));
    }

    [Fact]
    public async Task Checkpoints_survive_reopening_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        string runId;
        await using (var store = await SqliteStateStore.OpenAsync(path, new ManualTime(T0), default))
        {
            runId = (await store.StartRunAsync("p")).Id;
            var lease = await store.AcquireLeaseAsync("p", "me", Ttl);
            await store.CommitCheckpointAsync(lease, Checkpoint(runId, 1, 5, [7], ["out/1"], ["in/a"]), []);
        }

        await using (var store = await SqliteStateStore.OpenAsync(path, new ManualTime(T0 + Ttl), default))
        {
            var latest = await store.GetLatestCheckpointAsync(runId);
            Assert.Equal([7], latest!.OperatorState["t"]);
            Assert.Equal(["out/1"], latest.Files.Select(f => f.Path));
            Assert.Equal(runId, (await store.FindUnfinishedRunAsync("p"))?.Id);
            Assert.Equal(2, (await store.AcquireLeaseAsync("p", "next", Ttl)).Epoch);
        }
    }

    private static CheckpointRecord Checkpoint(string runId, long id, long records, byte[] state, string[] files, string[] consumed) => new(
        runId, id, T0, TimeSpan.FromMilliseconds(5), records,
        new Dictionary<string, string> { ["s"] = $"position-{id}" },
        new Dictionary<string, byte[]> { ["t"] = state },
        new Dictionary<string, string> { ["out"] = $"token-{id}" },
        [new("s", StageKind.Source, 0, records, 0, 0, TimeSpan.Zero)],
        [.. files.Select(path => new CommittedFile("out", path))],
        [.. consumed.Select(path => new InputMark(path, "mark-of-" + path))]);

    private static DeadLetter Letter(string message) =>
        new("s", OriginViews.FileOrigin("in/a", 1, new byte[] { 1 }), DeadLetterReason.Parse, null, null, message);

    private static async Task<string?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
