namespace Sluice.Cli.Documents;

/// <summary><c>sluice show RUN --json</c>: one run as the state keeps it (docs/json/show.schema.json).</summary>
internal sealed record RunDocument(
    string RunId,
    string Pipeline,
    string Kind,
    string? ParentRunId,
    string State,
    DateTime StartedAt,
    DateTime? EndedAt,
    double? DurationSeconds,
    TotalsPart Totals,
    IReadOnlyList<StagePart> Stages,
    IReadOnlyList<SinkPart> Sinks,
    IReadOnlyList<CheckpointPart> Checkpoints,
    IReadOnlyList<PublishedFilePart> PublishedFiles,
    IReadOnlyList<ExpectationPart> Expectations,
    IReadOnlyList<NotePart> Notes,
    IReadOnlyList<NotePart> Warnings,
    DeadLettersPart DeadLetters,
    string? Error);

/// <summary>A committed checkpoint: when it was requested, the records committed up to it, and how long it took
/// from request to publication.</summary>
internal sealed record CheckpointPart(string Id, DateTime CreatedAt, long RecordsCommitted, double DurationSeconds);

/// <summary>A file a checkpoint published, and the sink that wrote it.</summary>
internal sealed record PublishedFilePart(string Path, string Stage);
