using Sluice.Cli.Tests.TestSupport;
using Sluice.Nats.Tests.TestSupport;

namespace Sluice.Nats.Tests.Source;

/// <summary>The source's lag (<c>sluice.source.lag</c>), from the pending count each message carries, as a
/// Prometheus scrape of a following run shows it.</summary>
public sealed class JetStreamLagTests(NatsFixture fixture) : NatsTest(fixture)
{
    [Fact]
    public async Task A_following_run_reports_the_messages_still_to_read_and_0_once_it_caught_up()
    {
        await PublishAsync(1, 60);
        // 5 messages a fetch, 20 records a second: about 3 s behind the stream at first.
        string pipeline = Pipeline(extraSource: "batch_size: 5", extra: "resilience: { rate_limit: { records_per_second: 20 } }");
        using var sluice = new RunningSluice(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow", "--metrics-port", "0");
        var lags = await sluice.SourceLagsUntilCaughtUpAsync("nats-orders");
        var (exitCode, _) = await sluice.StopAsync();

        Assert.Equal(130, exitCode);
        Assert.Contains(lags, lag => lag > 0);
        Assert.All(lags, lag => Assert.InRange(lag, 0, 55)); // after the first fetch of 5, at most 55 are behind
        Assert.Equal(lags.OrderDescending(), lags); // it only catches up
        Assert.Equal(60, OutputIds().Count);
    }
}
