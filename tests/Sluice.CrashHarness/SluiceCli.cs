using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Sluice.CrashHarness;

/// <summary>Runs <c>sluice run pipeline.yaml</c> in a trial folder as a child process (<c>dotnet exec
/// Sluice.Cli.dll</c>: the CLI runs the pipeline in its own process, so killing that process kills the run).</summary>
internal sealed class SluiceCli(string dll)
{
    /// <summary>A run that takes longer than this without being killed is a hang, and a failure.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);

    public string Dll { get; } = dll;

    /// <summary>The state file <c>sluice run</c> uses by default: <c>.sluice/state.db</c> beside the pipeline file.</summary>
    public static string StatePath(string folder) => Path.Combine(folder, ".sluice", "state.db");

    /// <summary>Runs the pipeline; kills it with SIGKILL after <paramref name="killAfter"/> if it is still running.
    /// <paramref name="crashAt"/> sets SLUICE_CRASH_AT (otherwise it is removed from the child's environment).</summary>
    public async Task<RunResult> RunAsync(string folder, TimeSpan? killAfter = null, string? crashAt = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(Scenario.PipelineFile);
        start.Environment.Remove("SLUICE_STATE");
        if (crashAt is null)
        {
            start.Environment.Remove("SLUICE_CRASH_AT");
        }
        else
        {
            start.Environment["SLUICE_CRASH_AT"] = crashAt;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool killed = false;
        using (var timer = new CancellationTokenSource(killAfter ?? Hang))
        {
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                killed = killAfter is not null;
                await process.WaitForExitAsync();
            }
        }
        var elapsed = clock.Elapsed;
        // Kill raced with a normal exit: the run was not killed after all.
        killed &= process.ExitCode == RunResult.SigKillExitCode;
        return new RunResult(process.ExitCode, killed, await stdout, await stderr, elapsed);
    }

    /// <summary>Whether the newest run in the state file is recorded succeeded (a kill after that and before the
    /// process exited leaves nothing to resume).</summary>
    public static bool LatestRunSucceeded(string folder)
    {
        string state = StatePath(folder);
        if (!File.Exists(state))
        {
            return false;
        }
        using var connection = new SqliteConnection($"Data Source={state};Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT state FROM runs ORDER BY started_at DESC, id DESC LIMIT 1";
        try
        {
            return query.ExecuteScalar() as string == "succeeded";
        }
        catch (SqliteException)
        {
            return false; // killed before the tables were made
        }
    }
}
