using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

/// <summary>What dead-letter replay needs of the store: attempts, time and id-range filters, oldest-first paging,
/// and replayed letters deleted with the checkpoint that re-ran them.</summary>
public class SqliteStateStoreReplayTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly RowOrigin Origin = new("a.csv", "1", new byte[] { 1 });

    [Fact]
    public async Task Since_and_the_id_range_filter_and_oldest_first_orders()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var run = await store.StartRunAsync("p");
        for (int i = 0; i < 6; i++)
        {
            time.Now = T0.AddMinutes(i);
            await store.AddDeadLettersAsync(run.Id, "p", [new("s", Origin with { Failures = i }, DeadLetterReason.Contract, null, null, $"m{i}")]);
        }
        var all = await store.ListDeadLettersAsync(new DeadLetterQuery("p") { OldestFirst = true });
        long[] ids = all.Select(l => l.Id).ToArray();

        Assert.Equal(["m0", "m1", "m2", "m3", "m4", "m5"], all.Select(l => l.Message));
        Assert.Equal([1, 2, 3, 4, 5, 6], all.Select(l => l.Attempts));
        Assert.Equal(["m5", "m4", "m3"], (await store.ListDeadLettersAsync(new DeadLetterQuery("p") { Since = T0.AddMinutes(3) })).Select(l => l.Message));
        var page = await store.ListDeadLettersAsync(new DeadLetterQuery("p", Limit: 2) { AfterId = ids[0], ThroughId = ids[4], OldestFirst = true });
        Assert.Equal(["m1", "m2"], page.Select(l => l.Message));
        Assert.Equal(2, await store.CountDeadLettersAsync(new DeadLetterQuery { AfterId = ids[3] }));
        Assert.Equal(3, await store.PurgeDeadLettersAsync(new DeadLetterQuery { Since = T0.AddMinutes(3) })); // a time alone is a filter
    }

    [Fact]
    public async Task A_checkpoint_deletes_the_letters_it_replayed_and_stores_the_ones_that_failed_again()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var (first, ids, replay, lease) = await ReplayingAsync(store, "a", "b", "c");

        await store.CommitCheckpointAsync(lease, Checkpoint(replay.Id, 1) with { ReplayedDeadLetters = [ids[0], ids[1]] },
            [new("s", Origin with { Failures = 1 }, DeadLetterReason.Contract, null, null, "b again")]);

        var left = await store.ListDeadLettersAsync(new DeadLetterQuery("p") { OldestFirst = true });
        Assert.Equal([("c", 1, first.Id), ("b again", 2, replay.Id)], left.Select(l => (l.Message, l.Attempts, l.RunId)));
    }

    [Fact]
    public async Task A_checkpoint_whose_replayed_letter_was_purged_meanwhile_is_refused_whole()
    {
        using var dir = new TempDir();
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var (_, ids, replay, lease) = await ReplayingAsync(store, "a", "b");
        await store.PurgeDeadLettersAsync(new DeadLetterQuery("p") { AfterId = ids[0] });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitCheckpointAsync(lease,
            Checkpoint(replay.Id, 1) with { ReplayedDeadLetters = [ids[0], ids[1]] }, []));

        Assert.Contains("1 of the 2 dead letters of pipeline 'p' it replayed were deleted while they were being replayed", e.Message);
        Assert.Single(await store.ListDeadLettersAsync(new DeadLetterQuery("p"))); // the first one was not deleted either
        Assert.Empty(await store.ListCheckpointsAsync(replay.Id));
    }

    /// <summary>A run of pipeline p that dead-lettered one letter per message, and a replay run holding the lease.</summary>
    private static async Task<(RunRecord First, long[] Ids, RunRecord Replay, Lease Lease)> ReplayingAsync(SqliteStateStore store, params string[] messages)
    {
        var first = await store.StartRunAsync("p");
        await store.AddDeadLettersAsync(first.Id, "p", messages.Select(m => new DeadLetter("s", Origin, DeadLetterReason.Contract, null, null, m)).ToList());
        long[] ids = (await store.ListDeadLettersAsync(new DeadLetterQuery("p") { OldestFirst = true })).Select(l => l.Id).ToArray();
        var replay = await store.StartRunAsync("p", RunKinds.Replay);
        return (first, ids, replay, await store.AcquireLeaseAsync("p", "me", TimeSpan.FromSeconds(30)));
    }

    private static CheckpointRecord Checkpoint(string runId, long id) => new(runId, id, T0, TimeSpan.Zero, 0,
        new Dictionary<string, string>(), new Dictionary<string, byte[]>(), new Dictionary<string, string>(),
        [new StageCounts("s", StageKind.Source, 0, 0, 0, 0, TimeSpan.Zero)], [], []);
}
