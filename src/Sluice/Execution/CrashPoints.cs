using System.Diagnostics;

namespace Sluice.Execution;

/// <summary>
/// Named places where a process can be made to die abruptly, to prove that a run resumes exactly once from any of
/// them. Set <c>SLUICE_CRASH_AT=point</c> (or <c>point:N</c> for checkpoint N only) and the process kills itself
/// (SIGKILL: no cleanup, no flush) the first time it reaches that point. A testing hook: unset, it costs one
/// comparison per checkpoint.
/// </summary>
internal static class CrashPoints
{
    /// <summary>Every sink has prepared the checkpoint; nothing is in the state store yet.</summary>
    public const string AfterPrepare = "after-prepare";

    /// <summary>The checkpoint is committed in the state store; no sink has published it yet.</summary>
    public const string AfterStoreCommit = "after-store-commit";

    /// <summary>A file sink has renamed the first of several files of a checkpoint into place.</summary>
    public const string DuringSinkCommit = "during-sink-commit";

    /// <summary>A resuming run has re-committed the last checkpoint's output, before it reads anything.</summary>
    public const string DuringResume = "during-resume";

    /// <summary>Every sink has committed the checkpoint; its sources have not been told yet (stream entries not yet
    /// acknowledged), so the next run meets entries its output already holds.</summary>
    public const string BeforeSourceAck = "before-source-ack";

    public static IReadOnlyList<string> All { get; } = [AfterPrepare, AfterStoreCommit, DuringSinkCommit, DuringResume, BeforeSourceAck];

    /// <summary>The checkpoint being committed on this flow of execution, for points deep inside a sink that do not
    /// know it themselves.</summary>
    internal static AsyncLocal<long?> Committing { get; } = new();

    private static readonly (string Point, long? Checkpoint)? Armed = Parse(Environment.GetEnvironmentVariable("SLUICE_CRASH_AT"));

    /// <summary>Kills the process if <paramref name="point"/> is armed (for <paramref name="checkpoint"/>, when the
    /// setting names one).</summary>
    public static void Hit(string point, long? checkpoint = null)
    {
        checkpoint ??= Committing.Value;
        if (Armed is not { } armed || armed.Point != point || (armed.Checkpoint is { } only && only != checkpoint))
        {
            return;
        }
        Console.Error.WriteLine($"SLUICE_CRASH_AT: killing the process at {point}{(checkpoint is null ? "" : $" (checkpoint {checkpoint})")}");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // Kill only sends the signal; never go on past the point
    }

    private static (string, long?)? Parse(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }
        var parts = setting.Split(':', 2);
        if (!All.Contains(parts[0]) || (parts.Length == 2 && !long.TryParse(parts[1], out _)))
        {
            throw new InvalidOperationException($"SLUICE_CRASH_AT={setting} is not one of {string.Join(", ", All)} (optionally followed by :checkpoint)");
        }
        return (parts[0], parts.Length == 2 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : null);
    }
}
