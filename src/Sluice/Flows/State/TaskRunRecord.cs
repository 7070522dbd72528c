namespace Sluice.Flows;

/// <summary>One task, or one mapped instance of it, in a flow run, as kept in the state store.</summary>
/// <param name="Instance">-1 for the task itself; 0 … n-1 for its mapped instances.</param>
/// <param name="Item">A mapped instance's item.</param>
/// <param name="Attempts">Attempts started, over every process that ran it.</param>
/// <param name="CacheKey">The key its result was looked up and stored under, when it is cached.</param>
/// <param name="PipelineRunId">The pipeline run of a pipeline task's latest attempt.</param>
/// <param name="Result">Its result as JSON, once completed or cached (a failed command's too).</param>
/// <param name="Output">The last of what a command printed.</param>
/// <param name="Error">Why it failed, was skipped or was cancelled; one line.</param>
public sealed record TaskRunRecord(string FlowRunId, string Task, int Instance, string? Item, TaskState State, int Attempts,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? CacheKey, string? PipelineRunId, string? Result, string? Output,
    string? Error)
{
    public TimeSpan? Duration => EndedAt - StartedAt;

    /// <summary>A task (instance -1), not one of its mapped instances.</summary>
    public bool IsTask => Instance < 0;
}

/// <summary>One state change of a task instance, in the order they happened.</summary>
public sealed record TaskEvent(string Task, int Instance, TaskState State, int Attempt, DateTimeOffset At, string? Message);
