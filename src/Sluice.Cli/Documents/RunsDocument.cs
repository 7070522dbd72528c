namespace Sluice.Cli.Documents;

/// <summary><c>sluice runs --json</c>: recent runs, newest first (docs/json/runs.schema.json).
/// <see cref="StateFileExists"/> is false, with no runs, when there is no state file at <see cref="StateFile"/>.</summary>
internal sealed record RunsDocument(string StateFile, bool StateFileExists, IReadOnlyList<RunListItem> Runs);

/// <summary>One row of <c>sluice runs</c>.</summary>
internal sealed record RunListItem(
    string RunId, string Pipeline, string Kind, string? ParentRunId, string State, DateTime StartedAt, DateTime? EndedAt,
    double? DurationSeconds, TotalsPart Totals);
