using System.Diagnostics;
using System.Globalization;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary><c>sluice run --follow</c> through the command as a child process: it polls, picks up rows inserted and
/// updated while it waits, and stops cleanly on SIGTERM with nothing written twice.</summary>
public sealed class FollowTests(PostgresFixture fixture) : SourceTest(fixture)
{
    [Fact]
    public async Task A_following_run_reads_rows_inserted_while_it_polls_and_stops_cleanly_on_SIGTERM()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 50, tick: 1);
        await InsertAsync(51, 1, tick: 2); // waits: the newest cursor value
        string pipeline = ItemsPipeline("batch_size: 20", everySeconds: 0.2);

        using var following = SluiceProcess.Start(new Dictionary<string, string> { [PasswordVariable] = Server.Password },
            "run", pipeline, "--state", State, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Output().Count == 50, TimeSpan.FromSeconds(30)), "the first rows were not published");
            await InsertAsync(52, 30, tick: 3); // while it polls
            await UpdateAsync([5, 6], tick: 4);
            await InsertAsync(82, 1, tick: 5);
            Assert.True(SpinWait.SpinUntil(() => Output().Count == 83, TimeSpan.FromSeconds(30)), "rows added later were not published");
            using (var kill = Process.Start("kill", ["-TERM", following.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await following.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            following.Kill(); // a following run never ends by itself: never leave one behind
        }

        Assert.True(following.ExitCode == 130, await stderr + await stdout);
        var expected = (await ReadableAsync()).Append((5L, 1L)).Append((6L, 1L)).ToList();
        AssertExactlyOnce(expected, Output());

        // The stopped run is resumed by the next one, which reads what came since.
        await InsertAsync(83, 1, tick: 6);
        Succeeded(await RunAsync(pipeline));
        AssertExactlyOnce(expected.Append((82L, 1L)), Output());
    }
}
