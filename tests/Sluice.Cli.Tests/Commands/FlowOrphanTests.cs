using System.Diagnostics;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>A flow process killed with kill -9 cannot stop the command it was running; the attempt after the crash
/// stops it before starting its own, so two copies of a task never run at once, and nothing of the killed attempt
/// is left beside the state file or in the system's temp folder.</summary>
public sealed class FlowOrphanTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task The_attempt_after_a_kill_stops_the_command_the_killed_flow_process_left_running()
    {
        string state = _dir.File(".sluice/state.db");
        // Attempt 1 records bash's pid and its sleep's, then sleeps; attempt 2 ends at once. Both log in and out.
        string flow = _dir.Write("flow.yaml", """
            name: orphans
            tasks:
              slow:
                command: [bash, -c, 'echo "in $SLUICE_ATTEMPT" >> log; if [ "$SLUICE_ATTEMPT" = 1 ]; then sleep 60 & echo "$$ $!" > pids; wait; fi; echo "out $SLUICE_ATTEMPT" >> log']
            """);
        using var killed = SluiceProcess.Start(new Dictionary<string, string>(), "flow", "run", flow, "--state", state);
        for (int i = 0; i < 300 && !File.Exists(_dir.File("pids")); i++)
        {
            await Task.Delay(100);
        }
        int[] pids = [.. File.ReadAllText(_dir.File("pids")).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse)];
        killed.Kill(); // SIGKILL to the flow process alone: its command lives on
        await killed.WaitForExitAsync();
        Assert.All(pids, pid => Assert.True(Alive(pid), $"process {pid} died with the flow process"));
        string[] folders = Directory.GetDirectories(_dir.File(".sluice/flow-tasks"));

        CliResult resumed = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", state);

        Assert.Equal(0, resumed.ExitCode);
        Assert.All(pids, pid => Assert.False(Alive(pid), $"process {pid} of the killed attempt is still running"));
        // Attempt 1 never finished, attempt 2 did: the log shows no overlap since attempt 1 was stopped first.
        Assert.Equal(["in 1", "in 2", "out 2"], File.ReadAllLines(_dir.File("log")));
        CliResult list = await TestSupport.Sluice.RunAsync("flow", "list", "--state", state, "--json");
        string id = System.Text.Json.JsonDocument.Parse(list.Stdout).RootElement.GetProperty("flow_runs")[0].GetProperty("run").GetProperty("run_id").GetString()!;
        CliResult show = await TestSupport.Sluice.RunAsync("flow", "show", id, "--events", "--state", state);
        Assert.Contains($"stopped process {pids[0]}, which an earlier attempt started", show.Stdout, StringComparison.Ordinal);
        Assert.Single(folders); // the killed run's folder was there, and the finished run removed it
        Assert.False(Directory.Exists(_dir.File(".sluice/flow-tasks")), "the task folders outlived the flow run");
    }

    [Fact]
    public async Task A_command_writes_its_result_beside_the_state_file_and_the_folder_is_gone_when_the_run_ends()
    {
        string state = _dir.File(".sluice/state.db");
        string flow = _dir.Write("flow.yaml", """
            name: results
            tasks:
              list:
                command: [bash, -c, 'printf "%s" "$SLUICE_RESULT" > where; echo "[1, 2]" > "$SLUICE_RESULT"']
              use:
                command: [bash, -c, 'echo "$1" > used', _, "${tasks.list.value}"]
                depends_on: [list]
            """);

        CliResult run = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", state);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith(Path.Combine(_dir.Path, ".sluice", "flow-tasks") + "/", File.ReadAllText(_dir.File("where")), StringComparison.Ordinal);
        Assert.Equal("[1,2]", File.ReadAllText(_dir.File("used")).Trim());
        Assert.False(Directory.Exists(_dir.File(".sluice/flow-tasks")));
    }
}
