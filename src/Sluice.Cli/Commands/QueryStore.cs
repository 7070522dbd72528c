using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Cli.Commands;

/// <summary>Opens the state for the commands that need an existing one: those that read history, purge and replay.</summary>
internal static class QueryStore
{
    /// <summary>The store opened read-only (no write, no migration: the file may be read-only, or in use by an older
    /// Sluice), or null when the state file does not exist: reading history must never create an empty state file in
    /// whatever folder the user happens to be in. A folder is not "no state" but a wrong path, which the open reports.</summary>
    public static async Task<IStateStore?> OpenExistingAsync(string statePath) =>
        Exists(statePath) ? await SqliteStateStore.OpenReadOnlyAsync(statePath) : null;

    /// <summary>As <see cref="OpenExistingAsync"/>, for the commands that change an existing state (purge, replay).</summary>
    public static async Task<IStateStore?> OpenExistingForWritingAsync(string statePath) =>
        Exists(statePath) ? await SqliteStateStore.OpenAsync(statePath) : null;

    private static bool Exists(string statePath) => File.Exists(statePath) || Directory.Exists(statePath);

    public static string Missing(string statePath) =>
        $"no state file at {statePath} (run a pipeline first, or pass --state PATH or set ${StatePaths.EnvironmentVariable})";

    public static string RunNotFound(string idOrPrefix) =>
        $"no run has the id '{idOrPrefix}', and no single run starts with it (see sluice runs)";
}
