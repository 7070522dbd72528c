using Sluice.DeadLetters;
using Sluice.Dashboard.Pages;
using Sluice.Expectations;
using Sluice.Flows;

namespace Sluice.Dashboard.Api;

// The API's JSON shapes (camelCase on the wire), one per thing the pages show. Times are UTC ISO 8601; durations
// are seconds. Messages and errors go through Redact, as on the pages.

internal sealed record RunJson(string Id, string Pipeline, string Kind, string? ParentRunId, string State, DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt, double? DurationSeconds, long RecordsRead, long RecordsWritten, long RecordsPublished, long Filtered,
    long DeadLettered, string? Error)
{
    public static RunJson Of(RunRecord r) => new(r.Id, r.Pipeline, r.Kind, r.ParentRunId, r.State.Word(), r.StartedAt, r.EndedAt,
        r.Duration?.TotalSeconds, r.RecordsRead, r.RecordsWritten, r.RecordsPublished, r.Filtered, r.DeadLettered, Redact.Secrets(r.Error));
}

internal sealed record RunListJson(IReadOnlyList<RunListItemJson> Runs, string? Next);

/// <param name="ReadSoFar">What the sources have read while the run is running (null once it has ended).</param>
internal sealed record RunListItemJson(RunJson Run, long? ReadSoFar);

internal sealed record StageJson(string Stage, string Kind, IReadOnlyList<string> Inputs, long In, long Out, long Filtered, long DeadLettered,
    double BusySeconds, long Retries, long Timeouts, long CircuitOpenings, long CircuitClosings)
{
    public static StageJson Of(StageCounts s) => new(s.Stage, s.Kind.ToString().ToLowerInvariant(), s.Inputs, s.In, s.Out, s.Filtered,
        s.DeadLettered, s.Busy.TotalSeconds, s.Retries, s.Timeouts, s.CircuitOpenings, s.CircuitClosings);
}

internal sealed record CheckpointJson(long Id, DateTimeOffset CreatedAt, double DurationSeconds, long RecordsCommitted);

internal sealed record ExpectationJson(string Expectation, string Measured, bool Passed, string Outcome)
{
    public static ExpectationJson Of(ExpectationResult e) => new(e.Expectation, e.Measured, e.Passed, e.Outcome);
}

internal sealed record NoteJson(string Stage, bool Warning, string Message);

internal sealed record RunDetailJson(RunJson Run, IReadOnlyList<StageJson> Stages, IReadOnlyList<CheckpointJson> Checkpoints,
    IReadOnlyList<ExpectationJson> Expectations, IReadOnlyList<NoteJson> Notes, long? QueuedDeadLetters, bool QueuedDeadLettersCapped, string Mermaid)
{
    public static RunDetailJson Of(RunPage.Detail d) => new(RunJson.Of(d.Run), [.. d.Stages.Select(StageJson.Of)],
        [.. d.Checkpoints.Select(c => new CheckpointJson(c.Id, c.CreatedAt, c.Duration.TotalSeconds, c.RecordsCommitted))],
        [.. d.Expectations.Select(ExpectationJson.Of)], [.. d.Notes.Select(n => new NoteJson(n.Stage, n.Warning, Redact.Secrets(n.Message)!))],
        d.QueuedLetters, d.QueuedCapped, d.Mermaid);
}

internal sealed record TaskJson(string Task, int Instance, string? Item, string State, int Attempts, DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt, double? DurationSeconds, string? PipelineRunId, string? Error);

internal sealed record TaskEventJson(string Task, int Instance, string State, int Attempt, DateTimeOffset At, string? Message);

/// <summary>A task of a flow run's graph: an arrow goes from each task in <paramref name="DependsOn"/> to it.</summary>
/// <param name="Kind"><c>pipeline</c>, <c>command</c> or <c>code</c>.</param>
internal sealed record GraphTaskJson(string Task, string Kind, bool Mapped, IReadOnlyList<string> DependsOn);

/// <param name="Graph">The flow's tasks as the run stored them, in declaration order; null for a run recorded before
/// Sluice kept them, or whose graph does not read (<paramref name="GraphProblem"/> says which).</param>
internal sealed record FlowRunJson(RunJson Run, string Flow, string Partition, DateTimeOffset? ScheduledFor, IReadOnlyList<TaskJson> Tasks,
    IReadOnlyList<TaskEventJson> Events, IReadOnlyList<GraphTaskJson>? Graph, string? GraphProblem)
{
    public static FlowRunJson Of(FlowRunPage.Detail d) => new(RunJson.Of(d.Flow.Run), d.Flow.Flow, d.Flow.Partition, d.Flow.ScheduledFor,
        [.. d.Tasks.Select(t => new TaskJson(t.Task, t.Instance, t.Item, Word(t.State), t.Attempts, t.StartedAt, t.EndedAt, t.Duration?.TotalSeconds,
            t.PipelineRunId, Redact.Secrets(t.Error)))],
        [.. d.Events.Select(e => new TaskEventJson(e.Task, e.Instance, Word(e.State), e.Attempt, e.At, Redact.Secrets(e.Message)))],
        d.Graph is { } graph ? [.. graph.Tasks.Select(t => new GraphTaskJson(t.Task, t.Kind, t.Mapped, t.DependsOn))] : null, d.GraphProblem);

    private static string Word(TaskState state) => state.ToString().ToLowerInvariant();
}

internal sealed record LetterJson(long Id, string RunId, string Pipeline, string Stage, string Reason, string? Field, string? Rule, string Input,
    string Position, string Message, DateTimeOffset CreatedAt, int Attempts)
{
    public static LetterJson Of(StoredDeadLetter d) => new(d.Id, d.RunId, d.Pipeline, d.Stage, d.Reason.Code(), d.Field, d.Rule, d.Input,
        d.Position, Redact.Secrets(d.Message)!, d.CreatedAt, d.Attempts);
}

/// <param name="Matching">How many match, counted up to 10,000 (<paramref name="MatchingCapped"/> when there are more); null when
/// counting them would take too long.</param>
internal sealed record LetterListJson(IReadOnlyList<LetterJson> Letters, long? Next, long? Matching, bool MatchingCapped);

/// <param name="OriginalText">The original bytes as text when they are valid UTF-8; null otherwise.</param>
internal sealed record LetterDetailJson(LetterJson Letter, string OriginalBase64, string? OriginalText)
{
    public static LetterDetailJson Of(StoredDeadLetter d) => new(LetterJson.Of(d), Convert.ToBase64String(d.Original),
        OriginalBytes.IsValidUtf8(d.Original) ? System.Text.Encoding.UTF8.GetString(d.Original) : null);
}

/// <summary>A replay or purge request: <see cref="Ids"/> (hand-picked), or the filters (every letter they match).
/// An unknown key is refused: a misspelt filter (<c>"reasn"</c>) ignored would widen a purge to every letter the
/// other filters match.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record SelectionJson(IReadOnlyList<long>? Ids, string? Pipeline, string? Run, string? Reason, string? Stage, string? Field,
    string? Since, string? Until);

internal sealed record PurgeResultJson(long Purged);

internal sealed record ReplayRunJson(string Id, string State, long Written, long DeadLettered, long Filtered, string? Error);

internal sealed record ReplayResultJson(string Pipeline, long Selected, bool Succeeded, IReadOnlyList<ReplayRunJson> Runs);

internal sealed record ChartRunJson(string Id, string State, DateTimeOffset StartedAt, double? DurationSeconds, long RecordsRead, long DeadLettered, double DeadRatio);

internal sealed record ChartJson(string Pipeline, IReadOnlyList<ChartRunJson> Runs);

/// <summary>Each pipeline's newest recorded lineage (datasets read and written, output columns' origins) and the
/// pipelines flows' tasks ran.</summary>
internal sealed record LineageJson(IReadOnlyList<Sluice.Lineage.PipelineLineage> Pipelines, IReadOnlyList<Sluice.Lineage.FlowPipeline> Flows);

/// <summary>A recorded miss; delivery is sent, pending (the webhook has not accepted it yet) or no-webhook.</summary>
internal sealed record AlertJson(long Id, string SubjectKind, string Subject, string Kind, string Key, string Expected, DateTimeOffset DueAt,
    DateTimeOffset? ObservedAt, DateTimeOffset DetectedAt, string Detail, string Delivery, DateTimeOffset? SentAt, int Attempts, string? LastError,
    DateTimeOffset? NextAttemptAt);

internal sealed record AlertListJson(IReadOnlyList<AlertJson> Alerts, long? Next);

internal sealed record ErrorJson(string Error);
