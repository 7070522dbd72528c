using System.Text.Json;
using Sluice.Cli.Rendering;
using Sluice.Flows;

namespace Sluice.Cli.Documents;

/// <summary><c>sluice flow run --json</c> and <c>sluice flow show --json</c>: a flow run and its tasks
/// (docs/json/flow-run.schema.json).</summary>
internal sealed record FlowRunDocument(string StateFile, FlowRunPart FlowRun, IReadOnlyList<FlowTaskPart> Tasks, int ExitCode)
{
    public static FlowRunDocument Of(string stateFile, FlowRunRecord run, IReadOnlyList<TaskRunRecord> rows, int exitCode)
    {
        var byTask = rows.ToLookup(r => r.Task);
        return new FlowRunDocument(stateFile, FlowRunPart.Of(run), [.. rows.Where(r => r.IsTask).Select(t => FlowTaskPart.Of(t, [.. byTask[t.Task].Where(i => !i.IsTask)]))], exitCode);
    }
}

/// <summary>A flow run's own fields.</summary>
internal sealed record FlowRunPart(string RunId, string Flow, string? Partition, IReadOnlyDictionary<string, string> Parameters, string State,
    DateTime StartedAt, DateTime? EndedAt, double? DurationSeconds, DateTime? ScheduledFor, string? Error)
{
    public static FlowRunPart Of(FlowRunRecord run) => new(run.Run.Id, run.Flow, run.Partition.Length > 0 ? run.Partition : null,
        run.Parameters, Format.State(run.Run.State), Times.Utc(run.Run.StartedAt), Times.Utc(run.Run.EndedAt), Times.Seconds(run.Run.Duration),
        Times.Utc(run.ScheduledFor), run.Run.Error);
}

/// <summary>One task: its state, attempts, times, result, and for a mapped task how many instances ended in each
/// state and which did not complete.</summary>
internal sealed record FlowTaskPart(string Task, string State, int Attempts, DateTime? StartedAt, DateTime? EndedAt, double? DurationSeconds,
    bool Cached, string? PipelineRunId, JsonElement? Result, string? Error, IReadOnlyDictionary<string, int>? Instances,
    IReadOnlyList<FlowInstancePart> Unfinished)
{
    public static FlowTaskPart Of(TaskRunRecord task, IReadOnlyList<TaskRunRecord> instances) => new(
        task.Task, FlowValues.Code(task.State), task.Attempts, Times.Utc(task.StartedAt), Times.Utc(task.EndedAt), Times.Seconds(task.Duration),
        task.State == TaskState.Cached, task.PipelineRunId, Json(task.Result), task.Error,
        instances.Count == 0 ? null : instances.GroupBy(i => FlowValues.Code(i.State)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
        [.. instances.Where(i => i.State is not (TaskState.Completed or TaskState.Cached)).Select(i => new FlowInstancePart(i.Item ?? "", FlowValues.Code(i.State), i.Error))]);

    private static JsonElement? Json(string? text)
    {
        if (text is null)
            return null;
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

/// <summary>A mapped instance that did not complete: its item, state and why.</summary>
internal sealed record FlowInstancePart(string Item, string State, string? Error);

/// <summary><c>sluice flow list --json</c>: flow runs, newest first (docs/json/flow-runs.schema.json).</summary>
internal sealed record FlowRunsDocument(string StateFile, bool StateFileExists, IReadOnlyList<FlowRunListItem> FlowRuns);

/// <summary>One row of <c>sluice flow list</c>: the run and how many of its tasks ended in each state.</summary>
internal sealed record FlowRunListItem(FlowRunPart Run, IReadOnlyDictionary<string, int> Tasks);
