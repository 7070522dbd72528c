namespace Sluice.Cli.Documents;

/// <summary><c>sluice run --json</c>: the summary, printed once when the run ends (docs/json/run.schema.json).</summary>
internal sealed record RunSummaryDocument(
    string RunId,
    string Pipeline,
    string Kind,
    string State,
    DateTime StartedAt,
    DateTime? EndedAt,
    double? DurationSeconds,
    ResumedFromPart? ResumedFrom,
    SupersededPart? Superseded,
    IReadOnlyList<string> AbandonedRuns,
    TotalsPart Totals,
    IReadOnlyList<StagePart> Stages,
    IReadOnlyList<SinkPart> Sinks,
    IReadOnlyList<string> PublishedFiles,
    IReadOnlyList<ExpectationPart> Expectations,
    IReadOnlyList<NotePart> Notes,
    IReadOnlyList<NotePart> Warnings,
    int Checkpoints,
    double CheckpointSeconds,
    long PeakMemoryBytes,
    DeadLettersPart DeadLetters,
    string? Error,
    int ExitCode);

/// <summary>The checkpoint a resumed run went on from, and the records its sinks had committed by then.</summary>
internal sealed record ResumedFromPart(string Checkpoint, long RecordsCommitted);

/// <summary>The unfinished run <c>--fresh</c> closed instead of resuming; <see cref="Lost"/> says why its last
/// checkpoint could not be published again (null when it was).</summary>
internal sealed record SupersededPart(string RunId, string Checkpoint, long RecordsCommitted, string? Lost);
