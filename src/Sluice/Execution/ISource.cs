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
}
