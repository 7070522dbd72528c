using System.Globalization;
using Sluice.DeadLetters;
using Sluice.Pipelines;

namespace Sluice.State.Sqlite;

/// <summary>How values are spelled in the state file. Enums are stored as readable codes, not numbers, so that
/// the file can be queried by hand and reordering an enum cannot silently change stored data.</summary>
internal static class SqliteValues
{
    /// <summary>ISO-8601 in UTC with seven fraction digits: fixed width, so text order is time order.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();

    /// <summary>Durations are kept in whole milliseconds.</summary>
    public static long Milliseconds(TimeSpan value) => (long)Math.Round(value.TotalMilliseconds);

    public static string Code(RunState state) => state switch
    {
        RunState.Running => "running",
        RunState.Succeeded => "succeeded",
        RunState.QualityGateFailed => "quality_gate_failed",
        RunState.Failed => "failed",
        RunState.Cancelled => "cancelled",
        RunState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown run state"),
    };

    public static RunState ParseRunState(string code) => code switch
    {
        "running" => RunState.Running,
        "succeeded" => RunState.Succeeded,
        "quality_gate_failed" => RunState.QualityGateFailed,
        "failed" => RunState.Failed,
        "cancelled" => RunState.Cancelled,
        "stopped" => RunState.Stopped,
        _ => throw new InvalidDataException($"unknown run state '{code}' in the state file"),
    };

    public static string Code(StageKind kind) => kind.ToString().ToLowerInvariant();

    public static StageKind ParseStageKind(string code) =>
        Enum.TryParse(code, ignoreCase: true, out StageKind kind) && Enum.IsDefined(kind)
            ? kind
            : throw new InvalidDataException($"unknown stage kind '{code}' in the state file");

    public static DeadLetterReason ParseReason(string code) =>
        DeadLetterReasons.TryParse(code, out var reason)
            ? reason
            : throw new InvalidDataException($"unknown dead-letter reason '{code}' in the state file");
}
