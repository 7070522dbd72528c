using Sluice.DeadLetters;
using Sluice.Expectations;
using Sluice.Lineage;
using Sluice.State;

namespace Sluice;

/// <summary>
/// Where Sluice keeps runs, per-stage counters and dead letters. The SQLite store is the embedded default;
/// a PostgreSQL store shares the same contract. All methods are safe to call from several threads.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>Records a new run in state <see cref="RunState.Running"/> and returns it. Its id is
    /// <paramref name="id"/> when given (from <see cref="RunIds.New"/>; an id already taken is an error), else a new one.</summary>
    Task<RunRecord> StartRunAsync(string pipeline, string kind = RunKinds.Pipeline, string? parentRunId = null, string? id = null, CancellationToken cancellationToken = default);

    /// <summary>Records a new pipeline run (as <see cref="StartRunAsync"/>) that replaces the unfinished run
    /// <paramref name="supersedes"/> (<c>--fresh</c>) and, in the same transaction, deletes that run's dead letters
    /// from the input no committed checkpoint of the pipeline recorded as consumed: the new run reads that input
    /// again and judges its records anew, so each record stays in the queue once. Once the new run is recorded the
    /// old one is no longer resumed, so no resume can skip the records whose letters went.</summary>
    /// <param name="rereadsInput">False when the new run does not read that input again — its sources continue
    /// across runs (<see cref="Extensibility.ISource.ContinuesAcrossRuns"/>) from the last committed position — so
    /// every letter of the old run stays.</param>
    Task<RunRecord> StartFreshRunAsync(string pipeline, string supersedes, string? id = null, bool rereadsInput = true,
        CancellationToken cancellationToken = default);

    /// <summary>Replaces the saved counts of the run's stages (called periodically and at the end).</summary>
    Task SaveStageCountsAsync(string runId, IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken = default);

    /// <summary>Ends the run: its final state, totals and the error (one line) if it failed.</summary>
    Task FinishRunAsync(string runId, RunState state, RunTotals totals, string? error, CancellationToken cancellationToken = default);

    /// <summary>Puts a run that did not succeed back in state <see cref="RunState.Running"/> (its end time and
    /// error cleared), to resume it from its last checkpoint. Its counts are the checkpoint's until it saves new ones.</summary>
    Task ReopenRunAsync(string runId, CancellationToken cancellationToken = default);

    Task AddDeadLettersAsync(string runId, string pipeline, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The run with this id, or with this unique id prefix; null when none or several match.</summary>
    Task<RunRecord?> FindRunAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StageCounts>> GetStageCountsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Replaces how the run's expectations fared (in their declaration order).</summary>
    Task SaveExpectationResultsAsync(string runId, IReadOnlyList<ExpectationResult> results, CancellationToken cancellationToken = default);

    /// <summary>How the run's expectations fared, in declaration order; empty when none were evaluated.</summary>
    Task<IReadOnlyList<ExpectationResult>> GetExpectationResultsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Replaces what the run said besides its counts (in the order it said it).</summary>
    Task SaveRunNotesAsync(string runId, IReadOnlyList<RunNote> notes, CancellationToken cancellationToken = default);

    /// <summary>What the run said besides its counts, in order; empty when nothing.</summary>
    Task<IReadOnlyList<RunNote>> GetRunNotesAsync(string runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    Task<StoredDeadLetter?> GetDeadLetterAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>How many dead letters match <paramref name="query"/> (its limit is ignored).</summary>
    Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes the dead letters that match <paramref name="query"/> (its limit is ignored), in one
    /// transaction; returns how many. At least one filter must be set: purging everything is refused.</summary>
    Task<long> PurgeDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the pipeline's lease for <paramref name="holder"/> until now + <paramref name="ttl"/>. No lease, or an
    /// expired one (whoever held it): taken with epoch = previous + 1 (the first is 1). Held live by the same
    /// holder: renewed with the same epoch (a holder id names one process, so nothing else can have committed).
    /// </summary>
    /// <exception cref="LeaseHeldException">Another holder's lease has not expired.</exception>
    Task<Lease> AcquireLeaseAsync(string pipeline, string holder, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease to now + <paramref name="ttl"/>, same epoch.</summary>
    /// <exception cref="LeaseLostException">The stored lease has another holder or epoch, or it has expired
    /// (an expired lease is lost even if nobody took it yet: the holder was paused and must resume afresh).</exception>
    Task<Lease> RenewLeaseAsync(Lease lease, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Expires the lease now if it is still this holder's at this epoch, so the next run need not wait;
    /// otherwise does nothing. The epoch is kept, so the next holder's is still higher.</summary>
    Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction, durable on disk when the task completes: checks that <paramref name="lease"/> is still
    /// current (same holder and epoch, not expired), then stores the checkpoint with its committed and consumed
    /// files, the dead letters given, and saves <see cref="CheckpointRecord.Counts"/> as the run's stage counts.
    /// Either all of it is stored or none. An I/O error (a failed fsync included) throws; it is never retried.
    /// </summary>
    /// <exception cref="LeaseLostException">The lease is no longer current; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The run is unknown, not running, of another pipeline than the
    /// lease, or the checkpoint id is not the run's previous id + 1 (a bug in the caller); nothing was written.</exception>
    Task CommitCheckpointAsync(Lease lease, CheckpointRecord checkpoint, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default);

    /// <summary>The run's last committed checkpoint with its whole payload, or null when it has none.</summary>
    Task<CheckpointRecord?> GetLatestCheckpointAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The run's checkpoints in id order, without payload.</summary>
    Task<IReadOnlyList<CheckpointSummary>> ListCheckpointsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The pipeline's newest run still in state <see cref="RunState.Running"/> (a run that crashed), of
    /// this kind when <paramref name="kind"/> is given, or null.</summary>
    Task<RunRecord?> FindUnfinishedRunAsync(string pipeline, string? kind = null, CancellationToken cancellationToken = default);

    /// <summary>The pipeline's newest run of this kind (<see cref="RunKinds"/>), in any state, or null.</summary>
    Task<RunRecord?> FindLatestRunAsync(string pipeline, string kind, CancellationToken cancellationToken = default);

    /// <summary>The position source stage <paramref name="stage"/> of the pipeline reported at the newest committed
    /// checkpoint that has one, over all the pipeline's runs (replay runs excluded: their positions are dead-letter
    /// ids), or null: where a source that continues across runs (<see cref="Extensibility.ISource.ContinuesAcrossRuns"/>)
    /// starts a new run.</summary>
    Task<string?> FindCommittedPositionAsync(string pipeline, string stage, CancellationToken cancellationToken = default);

    /// <summary>The newest mark of every input the pipeline's sources marked in committed checkpoints, by input.</summary>
    Task<IReadOnlyList<InputMark>> ListInputMarksAsync(string pipeline, CancellationToken cancellationToken = default);

    /// <summary>Every file the run's committed checkpoints made visible, in checkpoint order. A file a sink wrote
    /// for this run that is not listed belongs to no committed checkpoint: it is abandoned.</summary>
    Task<IReadOnlyList<CommittedFile>> ListCommittedFilesAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the pipeline's lineage with <paramref name="lineage"/> (a run records it as it starts).</summary>
    Task SaveLineageAsync(PipelineLineage lineage, CancellationToken cancellationToken = default);

    /// <summary>Every pipeline's newest lineage (its datasets, their columns and column lineage), by pipeline name.</summary>
    Task<IReadOnlyList<PipelineLineage>> ListLineageAsync(CancellationToken cancellationToken = default);

    /// <summary>Which pipelines flows' tasks ran, one row per flow, task and pipeline with the newest such run, ordered
    /// by flow, task and pipeline: with <see cref="ListLineageAsync"/>, what draws datasets → pipelines → datasets
    /// with the flows around them.</summary>
    Task<IReadOnlyList<FlowPipeline>> ListFlowPipelinesAsync(CancellationToken cancellationToken = default);
}

/// <summary>A run's totals; see <see cref="RunRecord"/> for what each counts.</summary>
public sealed record RunTotals(long RecordsRead, long RecordsWritten, long Filtered, long DeadLettered);
