using System.Globalization;
using Sluice.Cli.Rendering;
using Sluice.Execution;
using Sluice.State;

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
    int ExitCode)
{
    /// <param name="started">The run as it started: whether it resumed, replaced or cleaned up earlier runs.</param>
    public static RunSummaryDocument Of(PipelineRun started, RunOutcome outcome, DeadLettersPart deadLetters, long peakMemory, int exitCode)
    {
        RunRecord run = outcome.Run;
        var (notes, warnings) = NotePart.Split(outcome.Notes);
        if (started.Superseded is { Lost: { } lost } gone)
            warnings.Insert(0, new NotePart(null, $"--fresh: the last checkpoint ({gone.Checkpoint}) of run {gone.RunId} could not be published again: {lost}"));
        return new RunSummaryDocument(
            run.Id, run.Pipeline, run.Kind, Format.State(run.State), Times.Utc(run.StartedAt), Times.Utc(run.EndedAt), Times.Seconds(run.Duration),
            started.ResumedFrom is { } r ? new ResumedFromPart(Id(r.Checkpoint), r.RecordsCommitted) : null,
            started.Superseded is { } s ? new SupersededPart(s.RunId, Id(s.Checkpoint), s.RecordsCommitted, s.Lost) : null,
            started.AbandonedRuns, TotalsPart.Of(run), StagePart.Of(outcome.Stages), SinkPart.Of(outcome.Balances), outcome.Published,
            ExpectationPart.Of(outcome.Expectations), notes, warnings, outcome.Checkpoints, outcome.CheckpointTime.TotalSeconds, peakMemory,
            deadLetters, outcome.Error is null ? null : CliContext.OneLine(outcome.Error), exitCode);
    }

    private static string Id(long checkpoint) => checkpoint.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The checkpoint a resumed run went on from, and the records its sinks had committed by then.</summary>
internal sealed record ResumedFromPart(string Checkpoint, long RecordsCommitted);

/// <summary>The unfinished run <c>--fresh</c> closed instead of resuming; <see cref="Lost"/> says why its last
/// checkpoint could not be published again (null when it was).</summary>
internal sealed record SupersededPart(string RunId, string Checkpoint, long RecordsCommitted, string? Lost);
