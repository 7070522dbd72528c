using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Configuration;
using Sluice.Lineage;

namespace Sluice.Flows;

/// <summary>
/// Runs a pipeline task that has a memory limit as a <c>sluice run</c> process of its own, so that the limit is the
/// process's alone: the run watches its own memory and fails with a message when it goes above it, and the .NET heap
/// is capped at the limit too (<c>DOTNET_GCHeapHardLimit</c>), so a runaway run ends that process, never the flow's
/// or the machine. Same state file, same resume rules: a killed attempt's next one resumes from its checkpoint.
/// </summary>
internal static class PipelineProcessRunner
{
    /// <summary>Lines of the process's stderr a failure keeps.</summary>
    private const int ErrorLines = 5;

    public static async Task<JsonNode> RunAsync(PipelineTaskAction action, string path, string? instance, string statePath,
        FlowRunnerOptions options, string flowRunId, TaskFolder folder, CancellationToken cancellationToken)
    {
        if (options.SluiceCommand is not { Count: > 0 } sluice)
        {
            throw new TaskFailedException("memory_limit runs the pipeline in a process of its own, which needs the sluice command line " +
                "(FlowRunnerOptions.SluiceCommand; `sluice flow run` sets it)");
        }
        long limit = action.MemoryLimit!.Value;
        var start = new ProcessStartInfo(sluice[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            .. sluice.Skip(1), "run", path, "--state", statePath, "--json", "--progress-interval", "0",
            "--memory-limit", limit.ToString(CultureInfo.InvariantCulture), "--parent-run", flowRunId,
            .. instance is null ? Array.Empty<string>() : ["--instance", instance],
            .. options.Pipelines.Lineage is { } lineage ? ["--lineage", lineage.Target] : Array.Empty<string>(),
            .. action.Parameters.SelectMany(p => new[] { "--param", $"{p.Key}={p.Value}" }),
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        if (options.Pipelines.Lineage is { } events)
        {
            // Not on the command line: the key is a secret, and the namespace goes with it.
            start.Environment[LineageOptions.NamespaceVariable] = events.Namespace;
            start.Environment[LineageOptions.ApiKeyVariable] = events.ApiKey;
        }
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + limit.ToString("X", CultureInfo.InvariantCulture);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new TaskFailedException($"cannot start '{sluice[0]}' to run the pipeline: {e.Message}");
        }
        folder.Record(process);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Killed, not asked: the run's last checkpoint stands and the next attempt resumes from it.
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            folder.Delete();
        }
        return Result(process.ExitCode, await stdout, await stderr, limit);
    }

    /// <summary>The run's summary as a task result, or why it failed: the run's own error, or how the process ended.</summary>
    private static JsonNode Result(int exitCode, string stdout, string stderr, long limit)
    {
        JsonNode? summary = null;
        try
        {
            summary = stdout.Length > 0 ? JsonNode.Parse(stdout) : null;
        }
        catch (JsonException)
        {
            // a process that died mid-document: told by its exit code below
        }
        if (summary is JsonObject run && run["run_id"] is not null)
        {
            var result = new JsonObject
            {
                ["run_id"] = (string?)run["run_id"],
                ["pipeline"] = (string?)run["pipeline"],
                ["state"] = (string?)run["state"],
                ["records_read"] = (long?)run["totals"]?["read"],
                ["records_written"] = (long?)run["totals"]?["written"],
                ["dead_lettered"] = (long?)run["totals"]?["dead_lettered"],
                ["published"] = run["published_files"]?.DeepClone() ?? new JsonArray(),
            };
            if (exitCode != 0)
            {
                throw new TaskFailedException($"pipeline run {result["run_id"]} {result["state"]}: {(string?)run["error"]}", result);
            }
            return result;
        }
        string said = string.Join(" ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(ErrorLines).Select(l => l.Trim()));
        bool outOfMemory = said.Contains("OutOfMemory", StringComparison.Ordinal) || exitCode is 134 or 137;
        throw new TaskFailedException(outOfMemory
            ? $"the pipeline's process ran out of its memory limit ({ByteSizeText.Format(limit)}) and ended (exit code {exitCode}); its last checkpoint stands"
            : $"the pipeline's process ended with exit code {exitCode}{(said.Length > 0 ? ": " + said : "")}");
    }
}
