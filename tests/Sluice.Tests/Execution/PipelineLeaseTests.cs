using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>Two processes must not run the same pipeline against the same state store at once.</summary>
public sealed class PipelineLeaseTests : StateStoreTest
{
    private static PipelineDefinition Pipeline(MemorySinkOptions sink, long rows = 1_000) => new("leased", [
        new("source", new MemorySourceOptions(rows, BatchSize: 100), []),
        new("sink", sink, ["source"]),
    ]);

    [Fact]
    public async Task A_second_concurrent_run_of_the_same_pipeline_is_refused_and_a_later_one_starts()
    {
        var slow = new MemorySinkOptions { Delay = TimeSpan.FromMilliseconds(20) };
        var first = await new PipelineRunner(Store).StartAsync(Pipeline(slow, rows: 10_000)); // ≥ 2 s: still running below

        // A second runner stands for a second process: it has its own holder id.
        var refused = await Assert.ThrowsAsync<LeaseHeldException>(() => new PipelineRunner(Store).StartAsync(Pipeline(new MemorySinkOptions())));
        Assert.Contains("pipeline 'leased' is already being run by", refused.Message);
        Assert.Single(await Store.ListRunsAsync()); // the refused run left no run behind

        Assert.Equal(RunState.Succeeded, (await first.Completion).Run.State);
        var later = await new PipelineRunner(Store).RunAsync(Pipeline(new MemorySinkOptions()));
        Assert.Equal(RunState.Succeeded, later.Run.State);
    }

    [Fact]
    public async Task The_lease_of_a_holder_that_died_expires_and_the_next_run_starts()
    {
        // A holder that took the lease and vanished without releasing it (kill -9). The store's clock is the test's,
        // so the lease expires when the test says, not after a sleep.
        var time = new Sluice.Tests.State.ManualTime(DateTimeOffset.UtcNow);
        await using var store = await SqliteStateStore.OpenAsync(Dir.File("died.db"), time, CancellationToken.None);
        await store.AcquireLeaseAsync("leased", "dead-host:1234:gone", TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<LeaseHeldException>(() => new PipelineRunner(store).StartAsync(Pipeline(new MemorySinkOptions())));
        time.Now += TimeSpan.FromSeconds(31);
        var outcome = await new PipelineRunner(store).RunAsync(Pipeline(new MemorySinkOptions()));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
    }

    [Fact]
    public async Task A_run_that_loses_its_lease_fails_without_publishing()
    {
        // The store's clock is the test's: moving it past the lease's expiry stands for this process being paused
        // (GC, suspended VM) while another one takes the pipeline over.
        var time = new Sluice.Tests.State.ManualTime(DateTimeOffset.UtcNow);
        await using var store = await SqliteStateStore.OpenAsync(Dir.File("paused.db"), time, CancellationToken.None);
        var sink = new MemorySinkOptions { Delay = TimeSpan.FromMilliseconds(20) };
        var options = new RunnerOptions { LeaseDuration = TimeSpan.FromMilliseconds(300) };
        var run = await new PipelineRunner(store, options).StartAsync(Pipeline(sink, rows: 100_000));

        time.Now += TimeSpan.FromMinutes(1);
        var successor = await store.AcquireLeaseAsync("leased", "successor", TimeSpan.FromMinutes(5));
        var outcome = await run.Completion;

        Assert.Equal(2, successor.Epoch);
        Assert.Equal(RunState.Failed, outcome.Run.State);
        Assert.Contains("lease", outcome.Error);
        Assert.Empty(sink.Published);
    }
}
