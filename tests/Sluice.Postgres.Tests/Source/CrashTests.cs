using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>Exactly once across <c>kill -9</c> at the engine's crash points: the next run resumes after the last
/// committed cursor position, and every row is in the output once.</summary>
public sealed class CrashTests(PostgresFixture fixture) : SourceTest(fixture)
{
    [Theory]
    [InlineData("after-store-commit:3")]
    [InlineData("after-prepare:3")]
    [InlineData("before-source-ack:2")]
    public async Task Killed_at_a_crash_point_the_next_run_writes_each_row_once(string crashAt)
    {
        await CreateItemsAsync();
        await InsertAsync(1, 500, tick: 1); // one cursor value for all: the key alone orders them
        await InsertAsync(501, 500, tick: 2);
        await InsertAsync(1001, 1, tick: 3);
        string pipeline = ItemsPipeline("batch_size: 50", everyRecords: 100);

        await RunKilledAtAsync(crashAt, pipeline);
        Assert.InRange(Output().Count, 100, 300);
        await UpdateAsync([1, 700], tick: 4); // changed while nothing ran: 1 was published, 700 not yet
        await InsertAsync(1002, 1, tick: 5);

        var resumed = await RunAsync(pipeline);

        Succeeded(resumed);
        Assert.Contains("resuming run", resumed.Stdout + resumed.Stderr);
        AssertExactlyOnce((await ReadableAsync()).Append((1L, 1L)), Output());
        Assert.Equal(1002, Output().Count); // 1-1001 but version 1 of 700 (changed before it was read), and the new versions of 1 and 700
    }

    [Fact]
    public async Task A_snapshot_killed_half_way_resumes_after_its_last_committed_key()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 1000, tick: 1);
        string pipeline = ItemsPipeline("batch_size: 50", everyRecords: 100, cursor: "");

        await RunKilledAtAsync("after-store-commit:4", pipeline);
        var resumed = await RunAsync(pipeline);

        Succeeded(resumed);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => ((long)i, 1L)), Output());
    }
}
