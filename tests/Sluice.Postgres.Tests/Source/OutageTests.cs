using System.Diagnostics;
using System.Globalization;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>The server stopped for a few seconds while a following run polls: with a retry policy that outlasts the
/// outage the run rides it out; with one that does not, the run fails in one line and --follow resumes it when the
/// server is back, exactly once.</summary>
public sealed class OutageTests(PostgresFixture fixture) : SourceTest(fixture)
{
    private async Task<(Process Run, Task<string> Stdout, Task<string> Stderr)> FollowAsync(string pipeline)
    {
        var run = SluiceProcess.Start(new Dictionary<string, string> { [PasswordVariable] = Server.Password }, "run", pipeline, "--state", State, "--follow");
        var output = (run, run.StandardOutput.ReadToEndAsync(), run.StandardError.ReadToEndAsync());
        Assert.True(SpinWait.SpinUntil(() => Output().Count == 40, TimeSpan.FromSeconds(30)), "the first rows were not published");
        await Task.CompletedTask;
        return output;
    }

    private async Task StopForAsync(TimeSpan outage)
    {
        await Server.StopAsync();
        try
        {
            await Task.Delay(outage);
        }
        finally
        {
            await Server.StartAgainAsync();
            Npgsql.NpgsqlConnection.ClearAllPools(); // the tests' own pooled connections died with the server
        }
    }

    /// <summary>Waits until the output holds <paramref name="rows"/> rows, then stops the run with SIGTERM.</summary>
    private async Task StopWhenPublishedAsync(Process run, Task<string> stderr, int rows)
    {
        Assert.True(SpinWait.SpinUntil(() => Output().Count == rows, TimeSpan.FromSeconds(60)), "rows after the outage were not published: " + (run.HasExited ? await stderr : "still running"));
        using (var kill = Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await run.WaitForExitAsync(timeout.Token);
    }

    [Fact]
    public async Task A_following_run_whose_retries_outlast_the_outage_goes_on_and_reads_what_came_after_once()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 40, tick: 1);
        await InsertAsync(41, 1, tick: 2);
        string pipeline = ItemsPipeline("batch_size: 25", everySeconds: 0.2);
        File.AppendAllText(pipeline, "\nresilience: { retry: { attempts: 30, delay: 250ms, max_delay: 1s } }\n");

        var (run, stdout, stderr) = await FollowAsync(pipeline);
        try
        {
            await StopForAsync(TimeSpan.FromSeconds(4));
            await InsertAsync(42, 10, tick: 3);
            await InsertAsync(52, 1, tick: 4);
            await StopWhenPublishedAsync(run, stderr, rows: 51);
        }
        finally
        {
            run.Kill();
        }

        Assert.True(run.ExitCode == 130, await stderr + await stdout);
        AssertExactlyOnce(await ReadableAsync(), Output());
    }

    [Fact]
    public async Task A_following_run_whose_retries_give_up_fails_in_one_line_and_follow_resumes_it_once_the_server_is_back()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 40, tick: 1);
        await InsertAsync(41, 1, tick: 2);
        string pipeline = ItemsPipeline("batch_size: 25", everySeconds: 0.2);
        File.AppendAllText(pipeline, "\nresilience: { retry: { attempts: 2, delay: 100ms } }\n");

        var (run, stdout, stderr) = await FollowAsync(pipeline);
        try
        {
            await StopForAsync(TimeSpan.FromSeconds(5));
            await InsertAsync(42, 10, tick: 3);
            await InsertAsync(52, 1, tick: 4);
            await StopWhenPublishedAsync(run, stderr, rows: 51);
        }
        finally
        {
            run.Kill();
        }

        string error = await stderr, output = await stdout;
        Assert.True(run.ExitCode == 130, error + output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var failure = Assert.Single(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Matches($@"^error: stage 'source' failed: postgres source 'source': (reading|the newest cursor value of) {Schema}\.items failed \(after 2 tries\): (cannot connect to )?PostgreSQL at {Server.Host}:{Server.Port}: ", failure);
        Assert.Contains(lines, l => l.StartsWith("--follow: run ", StringComparison.Ordinal) && l.Contains("failed; resuming in", StringComparison.Ordinal));
        Assert.Contains("resuming run ", output);
        Assert.DoesNotContain("   at ", error + output);
        Assert.DoesNotContain(Server.Password, error + output);
        AssertExactlyOnce(await ReadableAsync(), Output());
    }
}
