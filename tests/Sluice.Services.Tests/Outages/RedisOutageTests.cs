namespace Sluice.Services.Tests.Outages;

/// <summary>Redis stopped for 10 s in the middle of a following run, then started again with its data: the source
/// waits it out under the pipeline's retry policy, and the table ends with every event once.</summary>
public sealed class RedisOutageTests(RedisAndPostgres servers) : StreamIntoTableTest(servers)
{
    [Fact]
    public async Task Redis_away_for_10_s_is_waited_out_and_every_event_lands_once()
    {
        const int events = 3000;
        string pipeline = Pipeline(attempts: 60);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var producing = ProduceAsync(1, events, cancel.Token);
        using var run = StartFollowing(pipeline);
        try
        {
            Assert.True(await WaitForRowsAsync(300, TimeSpan.FromSeconds(60)) >= 300, "the run wrote nothing before the outage");
            await Servers.Redis.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            await Servers.Redis.StartAgainAsync();
            await producing;
            await WaitForRowsAsync(events, TimeSpan.FromSeconds(60));
        }
        finally
        {
            var (exitCode, output) = await StopAsync(run);
            Assert.True(exitCode == 130, $"exit {exitCode}\n{output}");
            Assert.DoesNotContain("   at ", output);
        }
        AssertExactlyOnce(events, await IdsAsync());
        Assert.Equal(0, await PendingAsync());
    }
}
