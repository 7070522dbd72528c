namespace Sluice.State;

/// <summary>
/// Everything a run needs to resume after its last committed checkpoint, committed in one state-store transaction
/// (see <see cref="IStateStore.CommitCheckpointAsync"/>). Dictionaries are keyed by stage name.
/// </summary>
/// <param name="Id">1, 2, … within the run, without gaps.</param>
/// <param name="CreatedAt">When the barrier was injected; <paramref name="Duration"/> is how long the checkpoint
/// took. The store keeps the duration in whole milliseconds.</param>
/// <param name="RecordsCommitted">Records the run's sinks have committed up to and including this checkpoint.</param>
/// <param name="SourcePositions">Each source's position, opaque to the store.</param>
/// <param name="OperatorState">Each stateful transform's state (e.g. a dedupe key set), opaque to the store.
/// Only the latest checkpoint of a run keeps it: resuming needs no other.</param>
/// <param name="SinkTokens">Each sink's commit token, opaque to the store.</param>
/// <param name="Counts">The run's stage counts at this checkpoint; committing also saves them as the run's counts.</param>
/// <param name="Files">Files the sinks make visible when this checkpoint commits.</param>
/// <param name="InputMarks">What the sources recorded of their inputs for later runs (files read to their end).</param>
public sealed record CheckpointRecord(
    string RunId,
    long Id,
    DateTimeOffset CreatedAt,
    TimeSpan Duration,
    long RecordsCommitted,
    IReadOnlyDictionary<string, string> SourcePositions,
    IReadOnlyDictionary<string, byte[]> OperatorState,
    IReadOnlyDictionary<string, string> SinkTokens,
    IReadOnlyList<StageCounts> Counts,
    IReadOnlyList<CommittedFile> Files,
    IReadOnlyList<InputMark> InputMarks)
{
    /// <summary>Ids of the dead letters a replay run has re-run up to this checkpoint: deleted in the same
    /// transaction as the checkpoint (those that failed again are among its new dead letters), so a replayed record
    /// is either still a dead letter or written, never both and never neither.</summary>
    public IReadOnlyList<long> ReplayedDeadLetters { get; init; } = [];
}
