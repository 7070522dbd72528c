using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice;

/// <summary>
/// Runs pipelines against a state store: builds the stage graph (every error reported before anything runs),
/// records a run, then moves batches through bounded channels with one concurrent worker per stage.
/// </summary>
public sealed partial class PipelineRunner
{
    private readonly IStateStore _store;
    private readonly RunnerOptions _options;

    public PipelineRunner(IStateStore store, RunnerOptions? options = null)
    {
        _store = store;
        _options = options ?? new RunnerOptions();
        if (_options.BatchSize < 1 || _options.ChannelCapacity < 1 || _options.LeaseDuration <= TimeSpan.Zero || _options.FollowPoll <= TimeSpan.Zero)
        {
            throw new ArgumentException("BatchSize and ChannelCapacity must be at least 1, LeaseDuration and FollowPoll positive", nameof(options));
        }
        if (_options.Lineage?.Problem() is { } lineage)
        {
            throw new ArgumentException(lineage, nameof(options));
        }
        if (_options.MemoryLimit < RunnerOptions.SmallestMemoryLimit)
        {
            throw new ArgumentException($"MemoryLimit must be at least {ByteSizeText.Format(RunnerOptions.SmallestMemoryLimit)}", nameof(options));
        }
    }

    /// <summary>The options a run of <paramref name="pipeline"/> goes by: sized from the memory limit when there is one.</summary>
    private RunnerOptions For(PipelineDefinition pipeline) =>
        _options.MemoryLimit is { } limit ? _options.Within(limit, pipeline.Stages.Count) : _options;

    /// <summary>Builds the pipeline (throwing <see cref="PipelineException"/> if it is invalid), takes the
    /// pipeline's lease (throwing <see cref="LeaseHeldException"/> while another live process runs the same
    /// pipeline against the same state store) and starts a run. When the pipeline's latest run did not succeed and
    /// committed a checkpoint, that run is <b>resumed</b> from its last checkpoint (<see cref="PipelineRun.ResumedFrom"/>)
    /// unless <paramref name="fresh"/>; otherwise a new run is recorded. Cancelling the token stops the run cleanly
    /// and marks it cancelled (the next run resumes it).</summary>
    public async Task<PipelineRun> StartAsync(PipelineDefinition pipeline, bool fresh = false, CancellationToken cancellationToken = default)
    {
        // The lease comes first: whether this is a new run or a resumed one (and so the run id the stages are built
        // with) depends on the state only the lease holder may act on. An invalid pipeline still leaves no run behind.
        var lease = await AcquireLeaseAsync(pipeline.Name, cancellationToken);
        try
        {
            return await StartLeasedAsync(pipeline, fresh, lease, cancellationToken);
        }
        catch
        {
            await _store.ReleaseLeaseAsync(lease, CancellationToken.None);
            throw;
        }
    }

    /// <inheritdoc cref="StartAsync(PipelineDefinition, bool, CancellationToken)"/>
    public Task<PipelineRun> StartAsync(PipelineDefinition pipeline, CancellationToken cancellationToken) =>
        StartAsync(pipeline, fresh: false, cancellationToken);

    /// <summary>Takes the pipeline's lease. A lease held by a process of this machine that no longer exists (killed)
    /// is ended at once instead of making the user wait for it to expire: its epoch still fences that holder off.</summary>
    private async Task<Lease> AcquireLeaseAsync(string pipeline, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.AcquireLeaseAsync(pipeline, Holder, _options.LeaseDuration, cancellationToken);
        }
        catch (LeaseHeldException e) when (LocalProcesses.IsDead(e.Holder))
        {
            await _store.ReleaseLeaseAsync(e.Held, cancellationToken);
            return await _store.AcquireLeaseAsync(pipeline, Holder, _options.LeaseDuration, cancellationToken);
        }
    }

    /// <summary>Who holds a lease: this process (host and pid) and this runner, so that two runners in one process
    /// are two holders too.</summary>
    private string Holder { get; } = LocalProcesses.NewHolder();

    private async Task<PipelineRun> StartLeasedAsync(PipelineDefinition pipeline, bool fresh, Lease lease, CancellationToken cancellationToken)
    {
        // We hold the lease, so no other process works on this pipeline: a run still marked running is dead.
        // Replay runs are never resumed: only a pipeline run goes on from its checkpoint.
        var latest = await _store.FindLatestRunAsync(pipeline.Name, RunKinds.Pipeline, cancellationToken);
        var checkpoint = latest is { State: not RunState.Succeeded }
            ? await _store.GetLatestCheckpointAsync(latest.Id, cancellationToken)
            : null;
        if (checkpoint is not null && !fresh)
        {
            return await ResumeAsync(pipeline, latest!, checkpoint, lease, cancellationToken);
        }

        string runId = RunIds.New(DateTimeOffset.UtcNow);
        var nodes = Build(pipeline, runId);
        return await OwnedAsync(nodes, () => StartNewAsync(pipeline, checkpoint, runId, nodes, lease, cancellationToken));
    }

    /// <summary>Until a run owns the stages built for it, a failure must let go of them (an http sink holds an
    /// <see cref="HttpClient"/>).</summary>
    private static async Task<PipelineRun> OwnedAsync(IReadOnlyList<StageNode> nodes, Func<Task<PipelineRun>> start)
    {
        try
        {
            return await start();
        }
        catch
        {
            await PipelineBuilder.DisposeStagesAsync(nodes);
            throw;
        }
    }

    /// <summary>Records a new run (closing the pipeline's unfinished ones, or superseding the one
    /// <paramref name="checkpoint"/> belongs to under --fresh) and starts it on <paramref name="nodes"/>.</summary>
    private async Task<PipelineRun> StartNewAsync(PipelineDefinition pipeline, CheckpointRecord? checkpoint, string runId,
        IReadOnlyList<StageNode> nodes, Lease lease, CancellationToken cancellationToken)
    {
        string? lost = null;
        if (checkpoint is not null)
        {
            // --fresh: the old run keeps what its checkpoints published, including the last one if the crash came
            // before its sinks committed it; nothing else of it survives. Its files may be gone (deleted by hand):
            // then resuming cannot work, and --fresh, the way out, must still go on.
            try
            {
                await PublishAsync(nodes, checkpoint, cancellationToken);
            }
            catch (PreparedOutputLostException e)
            {
                lost = e.Message;
            }
        }
        var ended = await CloseUnfinishedAsync(pipeline.Name, nodes, kind: null, r => r.Id == checkpoint?.RunId ? SupersededMessage : AbandonedMessage,
            cancellationToken, published: checkpoint?.RunId);
        await SettleLastReplayAsync(pipeline.Name, nodes, cancellationToken);
        if (checkpoint is not null && ended.All(r => r.Id != checkpoint.RunId))
        {
            await DiscardUnpublishedAsync(nodes, checkpoint.RunId, cancellationToken);
        }
        var run = checkpoint is null
            ? await _store.StartRunAsync(pipeline.Name, parentRunId: _options.ParentRunId, id: runId, cancellationToken: cancellationToken)
            : await _store.StartFreshRunAsync(pipeline.Name, checkpoint.RunId, runId,
                rereadsInput: !nodes.Any(n => n.Source is { ContinuesAcrossRuns: true }), cancellationToken);
        var execution = new RunExecution(run, pipeline, nodes, _store, lease, For(pipeline), resumeFrom: null, await ConsumedAsync(pipeline, cancellationToken))
        {
            CarriedPositions = await CarriedPositionsAsync(pipeline, nodes, cancellationToken),
        };
        return new PipelineRun(run.Id, pipeline, nodes.Select(n => n.Counters).ToList(), execution.RunAsync(cancellationToken), execution.RequestStop)
        {
            AbandonedRuns = ended.Where(r => r.Id != checkpoint?.RunId).Select(r => r.Id).ToList(),
            Superseded = checkpoint is null ? null : new SupersededRun(checkpoint.RunId, checkpoint.Id, checkpoint.RecordsCommitted) { Lost = lost },
        };
    }

    /// <summary>Goes on with <paramref name="run"/> from <paramref name="checkpoint"/>: publishes that checkpoint's
    /// output again (idempotent; the crash may have come before its sinks committed), deletes what the run prepared
    /// after it, and restarts every stage where the checkpoint left it.</summary>
    private async Task<PipelineRun> ResumeAsync(PipelineDefinition pipeline, RunRecord run, CheckpointRecord checkpoint, Lease lease,
        CancellationToken cancellationToken)
    {
        var nodes = Build(pipeline, run.Id);
        return await OwnedAsync(nodes, () => ResumeBuiltAsync(pipeline, run, checkpoint, nodes, lease, cancellationToken));
    }

    private async Task<PipelineRun> ResumeBuiltAsync(PipelineDefinition pipeline, RunRecord run, CheckpointRecord checkpoint,
        IReadOnlyList<StageNode> nodes, Lease lease, CancellationToken cancellationToken)
    {
        var stages = nodes.Select(n => n.Name).Order(StringComparer.Ordinal);
        var stored = checkpoint.Counts.Select(c => c.Stage).Order(StringComparer.Ordinal);
        if (!stages.SequenceEqual(stored))
        {
            throw new PipelineException(null,
                $"run {run.Id} stopped at checkpoint {checkpoint.Id} with stages {string.Join(", ", stored)}, but the pipeline now has {string.Join(", ", stages)}; " +
                "a run resumes only with the same stages (run with --fresh to start a new run instead)");
        }
        try
        {
            await PublishAsync(nodes, checkpoint, cancellationToken);
        }
        catch (PreparedOutputLostException e)
        {
            throw new PreparedOutputLostException($"run {run.Id} cannot resume from checkpoint {checkpoint.Id}: {e.Message}; " +
                "run with --fresh to start a new run without it");
        }
        await SettleReplaysAsync(pipeline.Name, nodes, cancellationToken);
        CrashPoints.Hit(CrashPoints.DuringResume, checkpoint.Id);
        await DiscardUnpublishedAsync(nodes, run.Id, cancellationToken);
        await _store.ReopenRunAsync(run.Id, cancellationToken);
        var execution = new RunExecution(run, pipeline, nodes, _store, lease, For(pipeline), checkpoint, await ConsumedAsync(pipeline, cancellationToken));
        return new PipelineRun(run.Id, pipeline, nodes.Select(n => n.Counters).ToList(), execution.RunAsync(cancellationToken), execution.RequestStop)
        {
            ResumedFrom = new ResumePoint(checkpoint.Id, checkpoint.RecordsCommitted),
        };
    }

    /// <summary>Ends every run of the pipeline (of <paramref name="kind"/>, or any) still marked running — their
    /// processes are dead, since we hold the lease: what their last checkpoint committed is published (again:
    /// idempotent; not for run <paramref name="published"/>, which the caller has dealt with), the rest of their
    /// output deleted, and they are recorded failed with <paramref name="message"/>.</summary>
    private async Task<List<RunRecord>> CloseUnfinishedAsync(string pipeline, IReadOnlyList<StageNode> nodes, string? kind,
        Func<RunRecord, string> message, CancellationToken cancellationToken, string? published = null)
    {
        var ended = new List<RunRecord>();
        for (var found = await _store.FindUnfinishedRunAsync(pipeline, kind, cancellationToken); found is not null;
             found = await _store.FindUnfinishedRunAsync(pipeline, kind, cancellationToken))
        {
            var last = await _store.GetLatestCheckpointAsync(found.Id, cancellationToken);
            if (last is not null && found.Id != published)
            {
                await PublishAsync(nodes, last, cancellationToken);
            }
            // Its files go first: were this process killed in between, the run would still be found unfinished
            // (and its files removed) next time, instead of ending with its files left behind.
            await DiscardUnpublishedAsync(nodes, found.Id, cancellationToken);
            ended.Add(found);
            // A run's totals are stored when it ends, so a dead one has only its last checkpoint's: what it published.
            var totals = last is null ? Totals(found) : CheckpointCoordinator.Totals(last.Counts);
            await _store.FinishRunAsync(found.Id, RunState.Failed, totals, message(found), cancellationToken);
        }
        return ended;
    }

    /// <summary>Replay runs are not resumed, but what their checkpoints committed must be published: their letters
    /// are gone from the queue. Closes crashed ones, and settles the last one if it failed after a checkpoint
    /// its sinks could not publish (it kept their prepared files for this).</summary>
    private async Task SettleReplaysAsync(string pipeline, IReadOnlyList<StageNode> nodes, CancellationToken cancellationToken)
    {
        await CloseUnfinishedAsync(pipeline, nodes, RunKinds.Replay, _ => AbandonedMessage, cancellationToken);
        await SettleLastReplayAsync(pipeline, nodes, cancellationToken);
    }

    /// <summary>Publishes the last checkpoint of a replay run that failed, while it is the pipeline's newest run: the
    /// next run or replay after it settles it, and once a later run exists it is left alone — its output may since
    /// have been deleted by its owner, which must not fail every run to come.</summary>
    private async Task SettleLastReplayAsync(string pipeline, IReadOnlyList<StageNode> nodes, CancellationToken cancellationToken)
    {
        if ((await _store.ListRunsAsync(pipeline, 1, cancellationToken)).FirstOrDefault() is { Kind: RunKinds.Replay, State: not RunState.Succeeded } replay
            && await _store.GetLatestCheckpointAsync(replay.Id, cancellationToken) is { } last)
        {
            await PublishAsync(nodes, last, cancellationToken);
            await DiscardUnpublishedAsync(nodes, replay.Id, cancellationToken);
        }
    }

    /// <summary>Commits the checkpoint's sink tokens again: idempotent, and needed when the process died after the
    /// checkpoint was stored but before its sinks published it.</summary>
    private static async Task PublishAsync(IReadOnlyList<StageNode> nodes, CheckpointRecord checkpoint, CancellationToken cancellationToken)
    {
        foreach (var sink in nodes.Where(n => n.Sink is not null))
        {
            if (checkpoint.SinkTokens.TryGetValue(sink.Name, out var token))
            {
                await sink.Sink!.CommitAsync(token, cancellationToken);
            }
        }
    }

    /// <summary>Deletes what the sinks wrote for <paramref name="runId"/> and did not publish (no committed checkpoint
    /// names it once the last checkpoint is published again).</summary>
    private static async Task DiscardUnpublishedAsync(IReadOnlyList<StageNode> nodes, string runId, CancellationToken cancellationToken)
    {
        foreach (var sink in nodes.Where(n => n.Sink is not null))
        {
            await sink.Sink!.DiscardAbandonedAsync(runId, cancellationToken);
        }
    }

    private IReadOnlyList<StageNode> Build(PipelineDefinition pipeline, string runId) => PipelineBuilder.Build(pipeline, Context(pipeline, runId));

    private BuildContext Context(PipelineDefinition pipeline, string runId) => new(pipeline.BaseDirectory, runId)
    {
        PipelineName = pipeline.Name,
        BatchSize = For(pipeline).BatchSize,
        FollowPoll = _options.FollowPoll,
        Resilience = pipeline.Resilience,
    };

    /// <summary>Where the sources that continue across runs start a new run: after their positions at the
    /// pipeline's newest committed checkpoints.</summary>
    private async Task<Dictionary<string, SourcePosition>> CarriedPositionsAsync(PipelineDefinition pipeline, IReadOnlyList<StageNode> nodes,
        CancellationToken cancellationToken)
    {
        var carried = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Source is { ContinuesAcrossRuns: true }))
        {
            if (await _store.FindCommittedPositionAsync(pipeline.Name, node.Name, cancellationToken) is { } position)
            {
                carried[node.Name] = new SourcePosition(position);
            }
        }
        return carried;
    }

    private async Task<ConsumedFileSet> ConsumedAsync(PipelineDefinition pipeline, CancellationToken cancellationToken) =>
        new((await _store.ListInputMarksAsync(pipeline.Name, cancellationToken)).Select(ConsumedFile.FromMark));

    private static RunTotals Totals(RunRecord run) => new(run.RecordsRead, run.RecordsWritten, run.Filtered, run.DeadLettered);

    /// <summary>The error recorded on a run whose process died before it ended and before its first checkpoint.</summary>
    public const string AbandonedMessage =
        "abandoned: the process stopped before the run ended; its unpublished output was discarded by the next run";

    /// <summary>The error recorded on an unfinished run that <c>--fresh</c> replaced instead of resuming it.</summary>
    public const string SupersededMessage =
        "superseded: a fresh run was started instead of resuming this one; what its checkpoints published stays, and what it had not finished of a file was read again: from the file's start, or for a grown file from where an earlier run had consumed it (its dead letters from that input were dropped: the fresh run judges those records again)";

    /// <summary>Starts the pipeline and waits for it to end.</summary>
    public async Task<RunOutcome> RunAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        var run = await StartAsync(pipeline, fresh: false, cancellationToken);
        return await run.Completion;
    }
}
