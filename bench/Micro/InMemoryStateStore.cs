using System.Collections.Concurrent;
using Sluice.DeadLetters;
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
    private long _nextId;

    public Task<RunRecord> StartRunAsync(string pipeline, string kind = "pipeline", string? parentRunId = null, CancellationToken cancellationToken = default)
    {
        var run = new RunRecord($"run{Interlocked.Increment(ref _nextId)}", pipeline, kind, parentRunId, RunState.Running,
            DateTimeOffset.UtcNow, null, 0, 0, 0, 0, null);
        _runs[run.Id] = run;
        return Task.FromResult(run);
    }

    public Task SaveStageCountsAsync(string runId, IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

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
        throw new NotSupportedException();

    public Task<IReadOnlyList<StageCounts>> GetStageCountsAsync(string runId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<StoredDeadLetter?> GetDeadLetterAsync(long id, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
