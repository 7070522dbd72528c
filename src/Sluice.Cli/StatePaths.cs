namespace Sluice.Cli;

/// <summary>
/// Where the state file is: <c>--state PATH</c>, else the <c>SLUICE_STATE</c> environment variable, else
/// <c>.sluice/state.db</c> beside the pipeline file (run) or in the current folder (runs, show, dlq).
/// Keeping the state beside the pipeline by default means two projects on one machine never share history.
/// </summary>
internal static class StatePaths
{
    public const string EnvironmentVariable = "SLUICE_STATE";

    /// <summary>The state file for running the pipeline file <paramref name="pipelineFile"/>.</summary>
    public static string ForPipeline(string? option, string pipelineFile) =>
        Resolve(option, Environment.GetEnvironmentVariable(EnvironmentVariable),
            Path.GetDirectoryName(Path.GetFullPath(pipelineFile))!);

    /// <summary>The state file for commands that read history (runs, show, dlq).</summary>
    public static string ForQueries(string? option) =>
        Resolve(option, Environment.GetEnvironmentVariable(EnvironmentVariable), Directory.GetCurrentDirectory());

    internal static string Resolve(string? option, string? environment, string defaultFolder)
    {
        if (!string.IsNullOrWhiteSpace(option))
            return Path.GetFullPath(option);
        if (!string.IsNullOrWhiteSpace(environment))
            return Path.GetFullPath(environment);
        return Path.Combine(defaultFolder, ".sluice", "state.db");
    }
}
