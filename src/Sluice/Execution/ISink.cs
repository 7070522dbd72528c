using Sluice.Records;

namespace Sluice.Execution;

/// <summary>
/// Writes batches somewhere. Output written by <see cref="WriteAsync"/> is not visible under its final name
/// until <see cref="CompleteAsync"/> publishes it; <see cref="AbortAsync"/> removes what was not published.
/// Backpressures by taking its time in <see cref="WriteAsync"/>.
/// </summary>
public interface ISink : IAsyncDisposable
{
    ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken);

    /// <summary>Finishes and publishes everything written (e.g. renames in-progress files to their final names).</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Discards unpublished output after a failure or cancellation. Must not throw for missing files.</summary>
    ValueTask AbortAsync();

    /// <summary>Paths (or other names) of what was published, for the run summary.</summary>
    IReadOnlyList<string> Published { get; }
}
