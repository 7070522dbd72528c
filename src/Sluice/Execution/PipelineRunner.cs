using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// Runs pipelines against a state store: builds the stage graph (every error reported before anything runs),
/// records a run, then moves batches through bounded channels with one concurrent worker per stage.
/// </summary>
public sealed class PipelineRunner
{
    private readonly IStateStore _store;
    private readonly RunnerOptions _options;

    public PipelineRunner(IStateStore store, RunnerOptions? options = null)
    {
        _store = store;
        _options = options ?? new RunnerOptions();
        if (_options.BatchSize < 1 || _options.ChannelCapacity < 1 || _options.LeaseDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException("BatchSize and ChannelCapacity must be at least 1, LeaseDuration positive", nameof(options));
        }
    }

    /// <summary>Builds the pipeline (throwing <see cref="PipelineException"/> if it is invalid), takes the
    /// pipeline's lease (throwing <see cref="LeaseHeldException"/> while another live process runs the same
    /// pipeline against the same state store), records a new run and starts it. Cancelling the token stops the run
    /// cleanly and marks it cancelled.</summary>
    public async Task<PipelineRun> StartAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        // The run's id is chosen first, so the pipeline is built once, with it, before anything is recorded:
        // an invalid pipeline leaves no run behind.
        string runId = RunIds.New(DateTimeOffset.UtcNow);
        var nodes = PipelineBuilder.Build(pipeline, new BuildContext(pipeline.BaseDirectory, runId) { BatchSize = _options.BatchSize });
        var lease = await _store.AcquireLeaseAsync(pipeline.Name, Holder, _options.LeaseDuration, cancellationToken);
        try
        {
            return await StartLeasedAsync(pipeline, runId, nodes, lease, cancellationToken);
        }
        catch
        {
            await _store.ReleaseLeaseAsync(lease, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Who holds a lease: this process (host and pid) and this runner, so that two runners in one process
    /// are two holders too.</summary>
    private string Holder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<PipelineRun> StartLeasedAsync(PipelineDefinition pipeline, string runId, IReadOnlyList<StageNode> nodes,
        Lease lease, CancellationToken cancellationToken)
    {
        // Runs of this pipeline still marked running are dead: their process would hold the lease we now have.
        var abandoned = new List<RunRecord>();
        for (var found = await _store.FindUnfinishedRunAsync(pipeline.Name, cancellationToken); found is not null;
             found = await _store.FindUnfinishedRunAsync(pipeline.Name, cancellationToken))
        {
            abandoned.Add(found);
            await _store.FinishRunAsync(found.Id, RunState.Failed,
                new RunTotals(found.RecordsRead, found.RecordsWritten, found.Filtered, found.DeadLettered),
                AbandonedMessage, cancellationToken);
        }
        foreach (var sink in nodes.Where(n => n.Sink is not null))
        {
            foreach (var old in abandoned)
            {
                await sink.Sink!.DiscardAbandonedAsync(old.Id, cancellationToken);
            }
        }
        var run = await _store.StartRunAsync(pipeline.Name, id: runId, cancellationToken: cancellationToken);
        var execution = new RunExecution(run, pipeline, nodes, _store, lease, _options);
        return new PipelineRun(run.Id, pipeline, nodes.Select(n => n.Counters).ToList(), execution.RunAsync(cancellationToken))
        {
            AbandonedRuns = abandoned.Select(r => r.Id).ToList(),
        };
    }

    /// <summary>The error recorded on a run whose process died before it ended.</summary>
    public const string AbandonedMessage =
        "abandoned: the process stopped before the run ended; its unpublished output was discarded by the next run";

    /// <summary>Starts the pipeline and waits for it to end.</summary>
    public async Task<RunOutcome> RunAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        var run = await StartAsync(pipeline, cancellationToken);
        return await run.Completion;
    }
}
