using Apache.Arrow;
using Sluice.Records;

namespace Sluice.Execution;

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

    IAsyncEnumerable<Batch> ReadAsync(StageContext context, CancellationToken cancellationToken);
}
