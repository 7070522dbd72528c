using Sluice.Connectors;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Replay;
using Sluice.State;

namespace Sluice;

public sealed partial class PipelineRunner
{
    /// <summary>
    /// Re-runs the pipeline's dead letters that match <paramref name="selection"/> (its pipeline is set to this one)
    /// through the pipeline as it is now, each from its source's parser along the path to the stage that rejected
    /// it and on downstream (see <see cref="ReplayPlan"/>). One replay run per group of letters with the same
    /// stages, one after another; each holds the pipeline's lease. A run's checkpoints delete the letters it replayed
    /// and store the ones that failed again (one attempt more) in the same transaction as its output, so every
    /// replayed record is written once or stays a dead letter, across crashes too. Quality gates (dead-letter
    /// bounds, expectations) are not applied: they judge a pipeline run's whole output, not a handful of records.
    /// </summary>
    /// <exception cref="PipelineException">A selected letter cannot be replayed (its stage is gone, its source cannot
    /// parse records again, …); nothing was replayed.</exception>
    /// <param name="stopReading">Stops gracefully, as <see cref="PipelineRun.RequestStop"/> does a run: the replay run
    /// reads no more letters, what it read drains into a final checkpoint (it ends stopped), no later group starts,
    /// and the letters not read stay in the queue. <paramref name="cancellationToken"/> instead stops at once.</param>
    public async Task<ReplayOutcome> ReplayAsync(PipelineDefinition pipeline, DeadLetterQuery selection,
        CancellationToken cancellationToken = default, CancellationToken stopReading = default)
    {
        selection = selection with { Pipeline = pipeline.Name, AfterId = 0, OldestFirst = false, Limit = 1 };
        // The letters that exist now, not the ones the replay itself writes.
        var newest = await _store.ListDeadLettersAsync(selection, cancellationToken);
        if (newest.Count == 0)
        {
            return new ReplayOutcome([], []);
        }
        selection = selection with { ThroughId = newest[0].Id };

        Lease? lease = await AcquireLeaseAsync(pipeline.Name, cancellationToken);
        IReadOnlyList<ReplayGroup> groups;
        try
        {
            // Built to settle earlier replays and to plan; each group's run builds its own stages.
            var nodes = Build(pipeline, RunIds.New(DateTimeOffset.UtcNow));
            try
            {
                await SettleReplaysAsync(pipeline.Name, nodes, cancellationToken);
                var sources = nodes.Where(n => n.Source is not null).ToDictionary(n => n.Name, n => n.Source!, StringComparer.Ordinal);
                groups = await ReplayPlan.CreateAsync(pipeline, sources, _store, selection, cancellationToken);
            }
            finally
            {
                await PipelineBuilder.DisposeStagesAsync(nodes);
            }
        }
        catch
        {
            await _store.ReleaseLeaseAsync(lease, CancellationToken.None);
            throw;
        }

        var runs = new List<RunOutcome>();
        foreach (var group in groups)
        {
            if (stopReading.IsCancellationRequested)
            {
                break;
            }
            // A run releases the lease when it ends, so each next group takes it again.
            lease ??= await AcquireLeaseAsync(pipeline.Name, cancellationToken);
            var outcome = await ReplayGroupAsync(pipeline, group, selection, lease, stopReading, cancellationToken);
            lease = null;
            runs.Add(outcome);
            if (outcome.Run.State != RunState.Succeeded)
            {
                break;
            }
        }
        if (lease is not null)
        {
            await _store.ReleaseLeaseAsync(lease, CancellationToken.None);
        }
        return new ReplayOutcome(groups, runs);
    }

    private async Task<RunOutcome> ReplayGroupAsync(PipelineDefinition pipeline, ReplayGroup group, DeadLetterQuery selection, Lease lease,
        CancellationToken stopReading, CancellationToken cancellationToken)
    {
        try
        {
            var replayed = pipeline with
            {
                Stages = pipeline.Stages.Where(s => group.Stages.Contains(s.Name))
                    .Select(s => s with { Inputs = s.Inputs.Where(group.Stages.Contains).ToList() })
                    .ToList(),
                DeadLetter = new DeadLetterPolicy(),
                Expectations = [],
            };
            string runId = RunIds.New(DateTimeOffset.UtcNow);
            var ids = group.Ids.ToHashSet();
            var nodes = PipelineBuilder.Build(replayed, Context(replayed, runId), (name, source) => name == group.Source
                ? new ReplaySource((IReplayableSource)source, _store, selection, ids, For(replayed).BatchSize)
                : source);
            var run = await _store.StartRunAsync(pipeline.Name, RunKinds.Replay, id: runId, cancellationToken: cancellationToken);
            var execution = new RunExecution(run, replayed, nodes, _store, lease, For(replayed), resumeFrom: null, ConsumedFileSet.Empty);
            using var stop = stopReading.Register(execution.RequestStop);
            return await execution.RunAsync(cancellationToken);
        }
        catch
        {
            await _store.ReleaseLeaseAsync(lease, CancellationToken.None);
            throw;
        }
    }
}
