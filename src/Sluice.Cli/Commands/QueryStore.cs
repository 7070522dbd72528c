using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Cli.Commands;

/// <summary>Opens the state for the commands that only read history.</summary>
internal static class QueryStore
{
    /// <summary>The store, or null when the state file does not exist: reading history must never create
    /// an empty state file in whatever folder the user happens to be in.</summary>
    public static async Task<IStateStore?> OpenExistingAsync(string statePath) =>
        File.Exists(statePath) ? await SqliteStateStore.OpenAsync(statePath) : null;

    public static string Missing(string statePath) =>
        $"no state file at {statePath} (run a pipeline first, or pass --state PATH or set ${StatePaths.EnvironmentVariable})";

    public static string RunNotFound(string idOrPrefix) =>
        $"no run has the id '{idOrPrefix}', and no single run starts with it (see sluice runs)";
}
