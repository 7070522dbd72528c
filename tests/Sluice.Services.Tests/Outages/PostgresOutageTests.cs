namespace Sluice.Services.Tests.Outages;

/// <summary>PostgreSQL stopped for 10 s in the middle of a following run, then started again with its data: the sink's
/// copy into its staging table breaks and the run fails, and --follow resumes it from its last checkpoint once the
/// server is back, so the table ends with every event once.</summary>
public sealed class PostgresOutageTests(RedisAndPostgres servers) : StreamIntoTableTest(servers)
{
    [Fact]
    public async Task Postgres_away_for_10_s_makes_follow_resume_the_run_and_every_event_lands_once()
    {
        const int events = 3000;
        string pipeline = Pipeline(attempts: 60);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var producing = ProduceAsync(1, events, cancel.Token);
        var run = StartFollowing(pipeline);
        int exitCode;
        string output;
        try
        {
            Assert.True(await WaitForRowsAsync(300, TimeSpan.FromSeconds(60)) >= 300, "the run wrote nothing before the outage");
            await Servers.Postgres.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            await Servers.Postgres.StartAgainAsync();
            await producing;
            await WaitForRowsAsync(events, TimeSpan.FromSeconds(60));
        }
        finally
        {
            (exitCode, output) = await StopAsync(run);
            run.Dispose();
        }
        Assert.True(exitCode == 130, $"exit {exitCode}\n{output}");
        Assert.Contains("--follow: run ", output);
        Assert.Contains("resuming run ", output);
        Assert.DoesNotContain("   at ", output);
        AssertExactlyOnce(events, await IdsAsync());
        Assert.Equal(0, await PendingAsync());
    }
}
