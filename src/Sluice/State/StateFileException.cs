using Sluice.State;
namespace Sluice;

/// <summary>The state file cannot be used; the message names it and says what to do.</summary>
public sealed class StateFileException(string path, StateFileProblem problem, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The full path of the state file.</summary>
    public string Path { get; } = path;

    public StateFileProblem Problem { get; } = problem;
}

/// <summary>What is wrong with a state file, which decides what the user must do (and the CLI's exit code).</summary>
public enum StateFileProblem
{
    /// <summary>The path cannot hold the state: a folder, a folder that cannot be created, no permission, read-only
    /// for a command that writes. The path or the permissions must change.</summary>
    Unusable,
    /// <summary>The file is not a SQLite database, or is damaged. It must be restored or moved away.</summary>
    Damaged,
    /// <summary>Another process holds a lock on it for longer than the store waits. Try again later.</summary>
    Locked,
    /// <summary>Its schema is newer than this Sluice knows, or (for a read-only open) older.</summary>
    Incompatible,
    /// <summary>The disk under it is full or failing. The machine must be fixed; the path and the file are fine.</summary>
    Failing,
}
