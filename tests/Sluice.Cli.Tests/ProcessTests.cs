using System.Diagnostics;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>The built executable, as a child process: exit codes must reach the shell, not just the method.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task The_executable_exits_2_on_bad_usage_and_0_on_help()
    {
        var bad = await SluiceProcess.RunAsync("dlq", "list", "--reason", "bogus");
        var help = await SluiceProcess.RunAsync("--help");

        Assert.Equal(ExitCodes.Invalid, bad.ExitCode);
        Assert.Contains("unknown reason 'bogus'", bad.Stderr);
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("sluice [command] [options]", help.Stdout);
    }

    [Fact]
    public async Task SIGTERM_stops_a_following_run_gracefully_and_the_next_run_resumes_it()
    {
        using var dir = new TempDir();
        dir.Write("data/a.csv", "id,name\n1,a\n2,b\n3,c\n");
        string file = dir.Write("pipeline.yaml", """
            name: follow
            checkpoint: { every_seconds: 0.2 }
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: out }
            """);
        string state = dir.File("state.db");

        using Process following = SluiceProcess.Start(new Dictionary<string, string>(), "run", file, "--state", state, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => PublishedRows(dir) == 3, TimeSpan.FromSeconds(30)), "the first file was not published");
            using (Process kill = Process.Start("kill", ["-TERM", following.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await following.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            following.Kill(); // a following run never ends by itself: never leave one behind
        }

        Assert.Equal(ExitCodes.Cancelled, following.ExitCode);
        Assert.Contains("SIGTERM: stopping", await stderr);
        Assert.Contains("stopped after", await stdout);
        dir.Write("data/b.csv", "id,name\n4,d\n");
        var resumed = await SluiceProcess.RunAsync("run", file, "--state", state);
        Assert.Equal(ExitCodes.Ok, resumed.ExitCode);
        Assert.Contains("resuming run", resumed.Stdout);
        Assert.Equal(4, PublishedRows(dir));
    }

    private static int PublishedRows(TempDir dir) => JsonlOutput.Ids(dir.File("out")).Count;
}
