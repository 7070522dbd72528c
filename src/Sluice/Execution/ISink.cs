using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Extensibility;

/// <summary>
/// Writes batches somewhere, in two phases. Output written by <see cref="WriteAsync"/> is invisible to readers.
/// <see cref="PrepareAsync"/> makes everything written so far durable (still invisible) and returns a token that
/// names it; <see cref="CommitAsync"/> publishes what a token names — idempotently, so that a process resuming
/// after a crash can commit a token again. <see cref="AbortAsync"/> removes what was not published.
/// Backpressures by taking its time in <see cref="WriteAsync"/>.
/// </summary>
public interface ISink : IAsyncDisposable
{
    ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken);

    /// <summary>Makes everything written since the last prepare durable, without publishing it, and returns a token
    /// naming it (opaque to the runner; stored in a checkpoint) with what committing it will make visible. Later
    /// writes go to new output. Called by the sink's own worker, or by the runner once that worker is done.</summary>
    ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Publishes what <paramref name="token"/> names. Committing a token that is already (partly)
    /// committed is harmless. May run on another thread while the sink's worker writes later data.</summary>
    ValueTask CommitAsync(string token, CancellationToken cancellationToken);

    /// <summary>Prepares and commits at once: what a run does at its end.</summary>
    async ValueTask CompleteAsync(CancellationToken cancellationToken) =>
        await CommitAsync((await PrepareAsync(cancellationToken)).Token, cancellationToken);

    /// <summary>Discards unpublished output after a failure or cancellation. Must not throw for missing files.</summary>
    ValueTask AbortAsync();

    /// <summary>Discards what an earlier run of this sink left unpublished when its process died (that run is known
    /// dead: this run holds the pipeline's lease). Never touches published output.</summary>
    ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Whether a <see cref="WriteAsync"/> that failed with a transient error may simply be tried again
    /// (the stage's retry policy then does): true for a sink whose writes are idempotent. File sinks say no — a
    /// failed write may have written part of a batch — so their failures fail the run, and the next run resumes.</summary>
    bool WritesAreRetrySafe => false;

    /// <summary>Paths (or other names) of what was published, for the run summary.</summary>
    IReadOnlyList<string> Published { get; }
}

/// <summary>What <see cref="ISink.PrepareAsync"/> made durable: the token to commit it with, and the paths (or other
/// names) that committing it makes visible — the checkpoint's manifest of committed output.</summary>
public sealed record PreparedOutput(string Token, IReadOnlyList<string> Files);
