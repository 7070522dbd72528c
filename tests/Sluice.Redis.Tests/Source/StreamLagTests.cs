using Sluice.Cli.Tests.TestSupport;
using Sluice.Redis.Tests.TestSupport;

namespace Sluice.Redis.Tests.Source;

/// <summary>The source's lag (<c>sluice.source.lag</c>), from the group's lag Redis reports, as a
/// Prometheus scrape of a following run shows it.</summary>
public sealed class StreamLagTests(RedisFixture fixture) : RedisTest(fixture)
{
    [Fact]
    public async Task A_following_run_reports_the_messages_still_to_read_and_0_once_it_caught_up()
    {
        await AddAsync(1, 600);
        // 5 entries a read, 150 records a second: the source reads ahead only as far as the bounded channels let it, so
        // the stream holds most of the 600 for a few seconds.
        string pipeline = Pipeline(extraSource: "batch_size: 5", extra: "resilience: { rate_limit: { records_per_second: 150 } }");
        using var sluice = new RunningSluice(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow", "--metrics-port", "0");
        var lags = await sluice.SourceLagsUntilCaughtUpAsync("redis-orders");
        var (exitCode, _) = await sluice.StopAsync();

        Assert.Equal(130, exitCode);
        Assert.Contains(lags, lag => lag > 0);
        Assert.All(lags, lag => Assert.InRange(lag, 0, 595)); // after the first read of 5, at most 595 are behind
        Assert.Equal(lags.OrderDescending(), lags); // it only catches up
        Assert.Equal(600, OutputIds().Count);
    }
}
