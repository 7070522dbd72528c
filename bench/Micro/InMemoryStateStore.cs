using System.Collections.Concurrent;
using Sluice.DeadLetters;
using Sluice.Expectations;
using Sluice.Lineage;
using Sluice.State;

namespace Sluice.Bench.Micro;

/// <summary>
/// The least a state store can do for a run: keep its record in a dictionary. Run beside the SQLite store, it
/// splits a run's fixed cost into the engine's part and the store's part. The benchmarks make no dead letters and
/// read nothing back but the run itself, so the other methods refuse rather than pretend.
/// </summary>
internal sealed class InMemoryStateStore : IStateStore
{
    private readonly ConcurrentDictionary<string, RunRecord> _runs = new();
    private readonly Dictionary<string, Lease> _leases = [];
    private readonly Dictionary<string, CheckpointRecord> _checkpoints = [];
    private readonly ConcurrentDictionary<string, IReadOnlyList<ExpectationResult>> _expectations = new();
    private long _nextId;

    public Task<RunRecord> StartRunAsync(string pipeline, string kind = "pipeline", string? parentRunId = null, string? id = null, CancellationToken cancellationToken = default)
    {
        var run = new RunRecord(id ?? $"run{Interlocked.Increment(ref _nextId)}", pipeline, kind, parentRunId, RunState.Running,
            DateTimeOffset.UtcNow, null, 0, 0, 0, 0, null);
        _runs[run.Id] = run;
        return Task.FromResult(run);
    }

    public Task<RunRecord> StartFreshRunAsync(string pipeline, string supersedes, string? id = null, bool rereadsInput = true,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the micro-benchmarks never start a run with --fresh");

    public Task SaveStageCountsAsync(string runId, IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

    public Task SaveRunNotesAsync(string runId, IReadOnlyList<RunNote> notes, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

    public Task<IReadOnlyList<RunNote>> GetRunNotesAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task FinishRunAsync(string runId, RunState state, RunTotals totals, string? error, CancellationToken cancellationToken = default)
    {
        // Only the last run is ever read back; dropping the others keeps memory flat over thousands of runs.
        _runs.TryRemove(runId, out var run);
        _runs.Clear();
        _runs[runId] = run! with
        {
            State = state,
            EndedAt = DateTimeOffset.UtcNow,
            RecordsRead = totals.RecordsRead,
            RecordsWritten = totals.RecordsWritten,
            Filtered = totals.Filtered,
            DeadLettered = totals.DeadLettered,
            Error = error,
        };
        return Task.CompletedTask;
    }

    public Task<RunRecord?> FindRunAsync(string idOrPrefix, CancellationToken cancellationToken = default) =>
        Task.FromResult(_runs.GetValueOrDefault(idOrPrefix));

    public Task AddDeadLettersAsync(string runId, string pipeline, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the micro-benchmarks make no dead letters");

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline = null, int limit = 50, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RunRecord>>(_runs.Values.Where(run => pipeline is null || run.Pipeline == pipeline)
            .OrderByDescending(run => run.StartedAt).Take(limit).ToList());

    public Task ReopenRunAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the micro-benchmarks' runs never fail, so none is resumed");

    public Task<IReadOnlyList<StageCounts>> GetStageCountsAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task SaveExpectationResultsAsync(string runId, IReadOnlyList<ExpectationResult> results, CancellationToken cancellationToken = default)
    {
        _expectations[runId] = [.. results];
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ExpectationResult>> GetExpectationResultsAsync(string runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_expectations.GetValueOrDefault(runId) ?? []);

    public Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<StoredDeadLetter?> GetDeadLetterAsync(long id, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the micro-benchmarks make no dead letters");

    public Task<long> PurgeDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the micro-benchmarks make no dead letters");

    // Leases and checkpoints follow the IStateStore rules (a runner resumes and fences against any store), kept
    // under one lock; only the latest checkpoint per run is kept, which is all a resume reads.
    public Task<Lease> AcquireLeaseAsync(string pipeline, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        lock (_leases)
        {
            var now = DateTimeOffset.UtcNow;
            var stored = _leases.GetValueOrDefault(pipeline);
            if (stored is not null && stored.ExpiresAt > now && stored.Holder != holder)
            {
                throw new LeaseHeldException(stored);
            }
            long epoch = stored is null ? 1 : stored.ExpiresAt > now ? stored.Epoch : stored.Epoch + 1;
            var lease = new Lease(pipeline, holder, epoch, now + ttl);
            _leases[pipeline] = lease;
            return Task.FromResult(lease);
        }
    }

    public Task<Lease> RenewLeaseAsync(Lease lease, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        lock (_leases)
        {
            var now = EnsureCurrent(lease);
            var renewed = lease with { ExpiresAt = now + ttl };
            _leases[lease.Pipeline] = renewed;
            return Task.FromResult(renewed);
        }
    }

    public Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken = default)
    {
        lock (_leases)
        {
            var now = DateTimeOffset.UtcNow;
            if (_leases.GetValueOrDefault(lease.Pipeline) is { } stored && stored.Holder == lease.Holder && stored.Epoch == lease.Epoch && stored.ExpiresAt > now)
            {
                _leases[lease.Pipeline] = stored with { ExpiresAt = now };
            }
            return Task.CompletedTask;
        }
    }

    public Task CommitCheckpointAsync(Lease lease, CheckpointRecord checkpoint, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        if (deadLetters.Count > 0)
        {
            throw new NotSupportedException("the micro-benchmarks make no dead letters");
        }
        lock (_leases)
        {
            EnsureCurrent(lease);
            long last = _checkpoints.GetValueOrDefault(checkpoint.RunId)?.Id ?? 0;
            if (checkpoint.Id != last + 1)
            {
                throw new InvalidOperationException($"checkpoint {checkpoint.Id} of run {checkpoint.RunId} does not follow {last}");
            }
            _checkpoints[checkpoint.RunId] = checkpoint;
            return Task.CompletedTask;
        }
    }

    public Task<CheckpointRecord?> GetLatestCheckpointAsync(string runId, CancellationToken cancellationToken = default)
    {
        lock (_leases)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault(runId));
        }
    }

    public Task<RunRecord?> FindUnfinishedRunAsync(string pipeline, string? kind = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_runs.Values.Where(run => run.Pipeline == pipeline && run.State == RunState.Running && (kind is null || run.Kind == kind))
            .OrderByDescending(run => run.StartedAt).FirstOrDefault());

    public Task<RunRecord?> FindLatestRunAsync(string pipeline, string kind, CancellationToken cancellationToken = default) =>
        Task.FromResult(_runs.Values.Where(run => run.Pipeline == pipeline && run.Kind == kind)
            .OrderByDescending(run => run.StartedAt).FirstOrDefault());

    public Task<IReadOnlyList<CheckpointSummary>> ListCheckpointsAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<string?> FindCommittedPositionAsync(string pipeline, string stage, CancellationToken cancellationToken = default) =>
        Task.FromResult<string?>(null); // the micro-benchmarks' sources start from scratch every run

    public Task<IReadOnlyList<InputMark>> ListInputMarksAsync(string pipeline, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<InputMark>>([]); // the micro-benchmarks' sources read no files

    public Task<IReadOnlyList<CommittedFile>> ListCommittedFilesAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    // Lineage is written as a run starts; the micro-benchmarks measure stages, not what a run stores besides them.
    public Task SaveLineageAsync(PipelineLineage lineage, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<PipelineLineage>> ListLineageAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PipelineLineage>>([]);

    public Task<IReadOnlyList<FlowPipeline>> ListFlowPipelinesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<FlowPipeline>>([]);

    /// <summary>Call under the lock.</summary>
    private DateTimeOffset EnsureCurrent(Lease lease)
    {
        var now = DateTimeOffset.UtcNow;
        if (_leases.GetValueOrDefault(lease.Pipeline) is not { } stored || stored.Holder != lease.Holder || stored.Epoch != lease.Epoch || stored.ExpiresAt <= now)
        {
            throw new LeaseLostException(lease, "it expired or another holder took it over");
        }
        return now;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
