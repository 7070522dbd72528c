using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>A run in progress: its id, live per-stage counters (for progress displays) and its completion.</summary>
public sealed class PipelineRun
{
    private readonly Action _requestStop;

    internal PipelineRun(string id, PipelineDefinition pipeline, IReadOnlyList<StageCounters> stages, Task<RunOutcome> completion,
        Action requestStop)
    {
        _requestStop = requestStop;
        Id = id;
        Pipeline = pipeline;
        Stages = stages;
        Completion = completion;
    }

    public string Id { get; }

    public PipelineDefinition Pipeline { get; }

    /// <summary>One entry per stage in graph order; safe to read while the run goes on.</summary>
    public IReadOnlyList<StageCounters> Stages { get; }

    /// <summary>Earlier runs of the pipeline whose process died before they ended: this run marked them failed and
    /// discarded their unpublished output before starting.</summary>
    public IReadOnlyList<string> AbandonedRuns { get; init; } = [];

    /// <summary>Set when this is an earlier run of the pipeline going on from its last checkpoint.</summary>
    public ResumePoint? ResumedFrom { get; init; }

    /// <summary>Set when <c>--fresh</c> started this run instead of resuming an unfinished one.</summary>
    public SupersededRun? Superseded { get; init; }

    /// <summary>Stops the run gracefully: no new input is read, what was read drains through every stage and is
    /// committed by a final checkpoint; the run then ends <see cref="RunState.Stopped"/> and the next run of the pipeline
    /// resumes it.
    /// Cancelling the token given to <see cref="PipelineRunner.StartAsync(PipelineDefinition, bool, CancellationToken)"/>
    /// instead stops at once, losing what came after the last checkpoint (the next run redoes it).</summary>
    public void RequestStop() => _requestStop();

    /// <summary>Completes when the run ends, whatever the outcome; faults only on a bug in Sluice itself.</summary>
    public Task<RunOutcome> Completion { get; }
}

/// <summary>Where a resumed run goes on from: its last committed checkpoint and the records its sinks had committed.</summary>
public sealed record ResumePoint(long Checkpoint, long RecordsCommitted);

/// <summary>An unfinished run that a fresh run replaced: its output up to <paramref name="Checkpoint"/> stays published.</summary>
public sealed record SupersededRun(string RunId, long Checkpoint, long RecordsCommitted)
{
    /// <summary>Why the last checkpoint's output could not be published again (its files are gone); null when it was.</summary>
    public string? Lost { get; init; }
}
