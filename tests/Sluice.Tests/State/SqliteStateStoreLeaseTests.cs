using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

public class SqliteStateStoreLeaseTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_first_holder_gets_epoch_1_and_a_live_lease_is_refused_to_others_with_who_and_until_when()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);

        var lease = await store.AcquireLeaseAsync("flights", "host-1/pid-10", Ttl);
        time.Now += Ttl - TimeSpan.FromTicks(1);
        var refused = await Assert.ThrowsAsync<LeaseHeldException>(() => store.AcquireLeaseAsync("flights", "host-2/pid-20", Ttl));

        Assert.Equal(new Lease("flights", "host-1/pid-10", 1, T0 + Ttl), lease);
        Assert.Equal(("flights", "host-1/pid-10", T0 + Ttl), (refused.Pipeline, refused.Holder, refused.ExpiresAt));
        Assert.Equal(
            "pipeline 'flights' is already being run by host-1/pid-10 (its lease runs until 2025-03-04 05:06:37 UTC); "
            + "wait for that run to finish or stop it; if that process is gone, its lease expires on its own at that time",
            refused.Message);
        // Leases are per pipeline.
        Assert.Equal(1, (await store.AcquireLeaseAsync("other", "host-2/pid-20", Ttl)).Epoch);
    }

    [Fact]
    public async Task The_same_holder_acquiring_a_live_lease_renews_it_with_the_same_epoch()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        await store.AcquireLeaseAsync("p", "a", Ttl);
        time.Now += TimeSpan.FromSeconds(10);

        var again = await store.AcquireLeaseAsync("p", "a", Ttl);

        Assert.Equal(new Lease("p", "a", 1, T0 + TimeSpan.FromSeconds(10) + Ttl), again);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_with_the_next_epoch_and_its_old_holder_is_fenced_off()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var old = await store.AcquireLeaseAsync("p", "a", Ttl);
        time.Now = old.ExpiresAt; // expiry is exclusive: at ExpiresAt the lease is no longer live

        var taken = await store.AcquireLeaseAsync("p", "b", Ttl);
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => store.RenewLeaseAsync(old, Ttl));
        await store.ReleaseLeaseAsync(old); // not ours any more: does nothing

        Assert.Equal(new Lease("p", "b", 2, old.ExpiresAt + Ttl), taken);
        Assert.Same(old, lost.Lease);
        Assert.Equal(
            "lost the lease on pipeline 'p' (holder a, epoch 1): b took it over (epoch 2); "
            + "this run stops without committing, another run owns the pipeline now or may resume it",
            lost.Message);
        Assert.Equal("b", (await Assert.ThrowsAsync<LeaseHeldException>(() => store.AcquireLeaseAsync("p", "c", Ttl))).Holder);
    }

    [Fact]
    public async Task Renewing_extends_a_live_lease_but_an_expired_one_is_lost_even_if_nobody_took_it()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var lease = await store.AcquireLeaseAsync("p", "a", Ttl);
        time.Now += TimeSpan.FromSeconds(20);
        var renewed = await store.RenewLeaseAsync(lease, Ttl);
        time.Now += TimeSpan.FromSeconds(20); // past the first expiry, within the renewed one
        var renewedAgain = await store.RenewLeaseAsync(renewed, TimeSpan.FromSeconds(5));
        time.Now += TimeSpan.FromSeconds(5);

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => store.RenewLeaseAsync(renewedAgain, Ttl));
        var retaken = await store.AcquireLeaseAsync("p", "a", Ttl);

        Assert.Equal(new Lease("p", "a", 1, T0 + TimeSpan.FromSeconds(50)), renewed);
        Assert.Equal(new Lease("p", "a", 1, T0 + TimeSpan.FromSeconds(45)), renewedAgain);
        Assert.Contains("it expired at 2025-03-04T05:06:52.0000000+00:00", lost.Message, StringComparison.Ordinal);
        // Even the same holder gets a new epoch after expiry: anything still in flight under epoch 1 is fenced off.
        Assert.Equal(new Lease("p", "a", 2, time.Now + Ttl), retaken);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.RenewLeaseAsync(renewedAgain, Ttl));
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_the_next_holder_still_gets_a_higher_epoch()
    {
        using var dir = new TempDir();
        var time = new ManualTime(T0);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"), time, default);
        var first = await store.AcquireLeaseAsync("p", "a", Ttl);

        await store.ReleaseLeaseAsync(first);
        var second = await store.AcquireLeaseAsync("p", "b", Ttl);
        await store.ReleaseLeaseAsync(first); // stale: must not free b's lease

        Assert.Equal(new Lease("p", "b", 2, T0 + Ttl), second);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.RenewLeaseAsync(first, Ttl));
        Assert.Equal(second, await store.RenewLeaseAsync(second, Ttl));
        await Assert.ThrowsAsync<LeaseHeldException>(() => store.AcquireLeaseAsync("p", "c", Ttl));
    }

    [Fact]
    public async Task Two_processes_on_one_file_racing_for_a_lease_get_exactly_one_winner()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        var time = new ManualTime(T0);
        for (int round = 0; round < 10; round++)
        {
            // Two stores on one file are two processes as far as SQLite is concerned: separate connections and locks.
            await using var one = await SqliteStateStore.OpenAsync(path, time, default);
            await using var two = await SqliteStateStore.OpenAsync(path, time, default);
            string pipeline = $"p{round}";

            var attempts = await Task.WhenAll(
                Attempt(() => one.AcquireLeaseAsync(pipeline, "one", Ttl)),
                Attempt(() => two.AcquireLeaseAsync(pipeline, "two", Ttl)));

            var winner = Assert.Single(attempts, attempt => attempt.Lease is not null).Lease!;
            var loser = Assert.Single(attempts, attempt => attempt.Refused is not null).Refused!;
            Assert.Equal(1, winner.Epoch);
            Assert.Equal(winner.Holder, loser.Holder);
            Assert.Equal(winner.ExpiresAt, loser.ExpiresAt);
            // Each process sees the other's lease.
            Assert.Equal(winner, await (winner.Holder == "one" ? two : one).RenewLeaseAsync(winner, Ttl));
        }
    }

    private static async Task<(Lease? Lease, LeaseHeldException? Refused)> Attempt(Func<Task<Lease>> acquire)
    {
        await Task.Yield();
        try
        {
            return (await acquire(), null);
        }
        catch (LeaseHeldException refused)
        {
            return (null, refused);
        }
    }
}
