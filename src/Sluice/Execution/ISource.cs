using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Extensibility;

/// <summary>
/// Produces batches. Emits when a batch is full or a file ends (a batch never spans two files); backpressures by
/// awaiting the downstream channel; completes when every input is read; cancels on the token.
/// A source counts every record it reads with <see cref="StageContext.RecordsRead"/> and dead-letters the ones
/// it cannot read; the runner counts what it emits.
/// </summary>
public interface ISource
{
    /// <summary>The schema of the batches this source emits. Known before the run starts.</summary>
    Schema Schema { get; }

    /// <summary>Reads the input, from the start when <paramref name="resumeAfter"/> is null, else right after that
    /// position (one this source reported on an earlier batch): the records after it come out as they would have
    /// in the first read, with the same origins. Fails when the input changed so that the position means nothing.</summary>
    /// <remarks>Every record read is covered by a batch's position: when records after the last batch of a file
    /// were all dead-lettered, the source emits a zero-row batch carrying the position past them.</remarks>
    IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken);

    /// <summary>Whether a new run of the pipeline starts after this source's position at the pipeline's newest
    /// committed checkpoint (of any earlier run) rather than at its beginning: true for a stream read by a consumer
    /// group or a table read by a cursor, whose position is where the pipeline as a whole has got to. False (the
    /// default) for file sources: a new run lists its files again and skips those committed checkpoints recorded as
    /// consumed. A resumed run always starts after the position of the checkpoint it resumes.</summary>
    bool ContinuesAcrossRuns => false;

    /// <summary>Called after a checkpoint that covers this source's records up to <paramref name="position"/> (one it
    /// put on a batch) has committed: every record up to it is durably written or dead-lettered. A source acts on it
    /// here when its input needs telling — acknowledging stream entries, advancing a durable consumer. Called in
    /// checkpoint order, on the commit path (keep it short). The process may die before or during the call, so the
    /// same position also comes back as <c>resumeAfter</c> (or, with <see cref="ContinuesAcrossRuns"/>, to the next
    /// run): acting on it must be idempotent. A failure does not fail the run (its output is committed): it is noted
    /// as a warning, and the next call or run covers it.</summary>
    ValueTask CommittedAsync(SourcePosition position, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
