using System.Diagnostics;
using System.Text;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice serve</c>: refuses flows it cannot serve; as a real process, runs slots and stops on SIGTERM.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_flow_it_cannot_serve_is_refused_at_its_place_with_exit_code_2()
    {
        string manual = _dir.Write("manual.yaml", "name: manual\ntasks: { a: { command: [\"true\"] } }");
        string broken = _dir.Write("broken.yaml", "name: broken\nschedule: { cron: \"0 2 * * *\", time_zone: Nowhere/Town }\ntasks: { a: { command: [\"true\"] } }");

        var unscheduled = await TestSupport.Sluice.RunAsync("serve", manual);
        var badZone = await TestSupport.Sluice.RunAsync("serve", manual, broken);

        Assert.Equal((ExitCodes.Invalid, ExitCodes.Invalid), (unscheduled.ExitCode, badZone.ExitCode));
        Assert.Contains("flow 'manual' has no schedule: give it one (schedule: \"0 2 * * *\") or run it with `sluice flow run`", unscheduled.Stderr);
        Assert.Contains("broken.yaml:2:43: schedule: unknown time zone 'Nowhere/Town'", badZone.Stderr);
        Assert.DoesNotContain("   at ", unscheduled.Stderr + badZone.Stderr);
    }

    /// <summary>A hostile probe saw the second file's problem hide the first's, a banner printed for flows then
    /// refused, and a state file made by a serve that never served. Missing files are named first, all of them.</summary>
    [Fact]
    public async Task Every_files_problems_are_told_at_once_before_anything_is_printed_or_made()
    {
        string manual = _dir.Write("manual.yaml", "name: manual\ntasks: { a: { command: [\"true\"] } }");
        string broken = _dir.Write("broken.yaml", "name: broken\nschedule: { cron: \"0 2 * * *\", time_zone: Nowhere/Town }\ntasks: { a: { command: [\"true\"] } }");

        var refused = await TestSupport.Sluice.RunAsync("serve", manual, broken);
        var ghosts = await TestSupport.Sluice.RunAsync("serve", manual, _dir.File("ghost.yaml"), _dir.File("shadow.yaml"));

        Assert.Equal((ExitCodes.Invalid, ExitCodes.Invalid), (refused.ExitCode, ghosts.ExitCode));
        Assert.Contains("flow 'manual' has no schedule", refused.Stderr);
        Assert.Contains("broken.yaml:2:43: schedule: unknown time zone 'Nowhere/Town'", refused.Stderr);
        Assert.Equal($"error: no such flow file: {_dir.File("ghost.yaml")}, {_dir.File("shadow.yaml")}", ghosts.Stderr.Trim());
        Assert.DoesNotContain("serving", refused.Stdout + ghosts.Stdout);
        Assert.False(Directory.Exists(_dir.File(".sluice")), "a refused serve made a state file");
    }

    [Fact]
    public async Task SIGTERM_stops_a_serving_process_with_exit_code_130_after_it_ran_a_slot_once()
    {
        string flow = _dir.Write("flow.yaml", """
            name: ticking
            schedule: "*/2 * * * * *"
            tasks:
              tick: { command: [bash, -c, "echo tick >> ticks.txt"] }
            """);
        string state = _dir.File("state.db");

        using Process serving = SluiceProcess.Start(new Dictionary<string, string>(), "serve", flow, "--state", state);
        var stdout = new StringBuilder();
        Task reading = Task.Run(async () =>
        {
            while (await serving.StandardOutput.ReadLineAsync() is { } line)
                lock (stdout)
                    stdout.AppendLine(line);
        });
        Task<string> stderr = serving.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => { lock (stdout) return stdout.ToString().Contains(" succeeded", StringComparison.Ordinal); }, TimeSpan.FromSeconds(60)),
                "no slot ran: " + stdout);
            using (Process kill = Process.Start("kill", ["-TERM", serving.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await serving.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            serving.Kill(); // a server never ends by itself: never leave one behind
        }
        await reading;

        Assert.Equal(ExitCodes.Cancelled, serving.ExitCode);
        Assert.Contains("SIGTERM: stopping", await stderr);
        Assert.Contains("serving ticking '*/2 * * * * *' (UTC, catch up: latest)", stdout.ToString());
        // Every slot that ran, ran once.
        var slots = stdout.ToString().Split('\n').Where(l => l.Contains(" succeeded", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(": run", StringComparison.Ordinal)]).ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
        Assert.Equal(slots.Count, File.ReadAllLines(_dir.File("ticks.txt")).Length);
    }
}
