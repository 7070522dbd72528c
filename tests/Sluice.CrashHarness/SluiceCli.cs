using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Sluice.CrashHarness;

/// <summary>Runs <c>sluice run pipeline.yaml</c>, <c>sluice dlq replay --pipeline pipeline.yaml</c> or <c>sluice flow run flow.yaml</c> in a trial folder
/// as a child process (<c>dotnet exec Sluice.Cli.dll</c>: the CLI runs the pipeline in its own process, so killing
/// that process kills the run).</summary>
internal sealed class SluiceCli(string dll)
{
    /// <summary>A run that takes longer than this without being killed is a hang, and a failure.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);

    public string Dll { get; } = dll;

    /// <summary>The state file <c>sluice run</c> uses by default: <c>.sluice/state.db</c> beside the pipeline file.</summary>
    public static string StatePath(string folder) => Path.Combine(folder, ".sluice", "state.db");

    /// <summary>Runs the pipeline; kills it with SIGKILL after <paramref name="killAfter"/> if it is still running.
    /// <paramref name="crashAt"/> sets SLUICE_CRASH_AT (otherwise it is removed from the child's environment).</summary>
    public Task<RunResult> RunAsync(string folder, TimeSpan? killAfter = null, string? crashAt = null) =>
        StartAsync(folder, ["run", Scenario.PipelineFile], killAfter, crashAt);

    /// <summary>Runs <c>sluice flow run flow.yaml --state .sluice/state.db</c> (the flow mode); kills it as
    /// <see cref="RunAsync"/> does.</summary>
    public Task<RunResult> FlowRunAsync(string folder, TimeSpan? killAfter = null) =>
        StartAsync(folder, ["flow", "run", Flows.FlowLayout.FlowFile, "--state", Path.GetRelativePath(folder, StatePath(folder))], killAfter, null);

    /// <summary>Runs the pipeline with <c>--follow</c> (it never ends by itself): kills it with SIGKILL after
    /// <paramref name="killAfter"/>, unless <paramref name="stopWhen"/> (polled every 50 ms while it runs) says to
    /// stop it first, which sends SIGTERM, as a service manager would, and waits for it to drain and exit.</summary>
    public Task<RunResult> FollowAsync(string folder, TimeSpan? killAfter, Func<Task<bool>> stopWhen) =>
        StartAsync(folder, ["run", Scenario.PipelineFile, "--follow"], killAfter, null, stopWhen);

    /// <summary>Replays the pipeline's dead letters through <c>pipeline.yaml</c> as it is now, with the state file
    /// the runs use; kills it as <see cref="RunAsync"/> does.</summary>
    public Task<RunResult> ReplayAsync(string folder, TimeSpan? killAfter = null, string? crashAt = null) =>
        StartAsync(folder, ["dlq", "replay", "--pipeline", Scenario.PipelineFile, "--state", Path.GetRelativePath(folder, StatePath(folder))],
            killAfter, crashAt);

    private async Task<RunResult> StartAsync(string folder, string[] arguments, TimeSpan? killAfter, string? crashAt, Func<Task<bool>>? stopWhen = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
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
                if (stopWhen is not null)
                {
                    await StopWhenAsync(process, stopWhen, timer.Token);
                }
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

    private static async Task StopWhenAsync(Process process, Func<Task<bool>> stopWhen, CancellationToken cancellationToken)
    {
        while (!process.HasExited)
        {
            if (await stopWhen())
            {
                using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync(cancellationToken);
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Whether the newest run (of <paramref name="kind"/>, or any) in the state file is recorded succeeded (a
    /// kill after that and before the process exited leaves nothing to resume).</summary>
    public static bool LatestRunSucceeded(string folder, string? kind = null) =>
        Query(folder, "SELECT state FROM runs WHERE $kind IS NULL OR kind = $kind ORDER BY started_at DESC, id DESC LIMIT 1", kind) as string == "succeeded";

    /// <summary>How many runs of <paramref name="kind"/> the state file holds (0 before it has its tables).</summary>
    public static long CountRuns(string folder, string kind) =>
        Query(folder, "SELECT count(*) FROM runs WHERE kind = $kind", kind) as long? ?? 0;

    /// <summary>How many checkpoints the state file holds, over all runs (0 before it has its tables).</summary>
    public static long CountCheckpoints(string folder) =>
        Query(folder, "SELECT count(*) FROM checkpoints WHERE $kind IS NULL", null) as long? ?? 0;

    private static object? Query(string folder, string sql, string? kind)
    {
        string state = StatePath(folder);
        if (!File.Exists(state))
        {
            return null;
        }
        using var connection = new SqliteConnection($"Data Source={state};Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = sql;
        query.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        try
        {
            return query.ExecuteScalar();
        }
        catch (SqliteException)
        {
            return null; // killed before the tables were made
        }
    }
}
