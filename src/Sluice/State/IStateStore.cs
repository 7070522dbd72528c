using Sluice.DeadLetters;

namespace Sluice.State;

/// <summary>
/// Where Sluice keeps runs, per-stage counters and dead letters. The SQLite store is the embedded default;
/// a PostgreSQL store shares the same contract. All methods are safe to call from several threads.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>Records a new run in state <see cref="RunState.Running"/> and returns it with its new id.</summary>
    Task<RunRecord> StartRunAsync(string pipeline, string kind = "pipeline", string? parentRunId = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces the saved counts of the run's stages (called periodically and at the end).</summary>
    Task SaveStageCountsAsync(string runId, IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken = default);

    /// <summary>Ends the run: its final state, totals and the error (one line) if it failed.</summary>
    Task FinishRunAsync(string runId, RunState state, RunTotals totals, string? error, CancellationToken cancellationToken = default);

    Task AddDeadLettersAsync(string runId, string pipeline, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The run with this id, or with this unique id prefix; null when none or several match.</summary>
    Task<RunRecord?> FindRunAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StageCounts>> GetStageCountsAsync(string runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    Task<StoredDeadLetter?> GetDeadLetterAsync(long id, CancellationToken cancellationToken = default);
}

/// <summary>A run's totals; see <see cref="RunRecord"/> for what each counts.</summary>
public sealed record RunTotals(long RecordsRead, long RecordsWritten, long Filtered, long DeadLettered);
