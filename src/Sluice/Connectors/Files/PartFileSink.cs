using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>
/// A file sink: every file format is this sink over a <see cref="PartFileSet"/> with that format's writer.
/// Consumes when: a batch arrives; it is encoded before <see cref="WriteAsync"/> returns (buffering at most the
/// writer's own buffer, e.g. one Parquet row group). Backpressures when: encoding or the disk is slower than upstream.
/// Completes when: the run completes; then the files are finished, fsynced and renamed to their final names together.
/// Guarantee: a run publishes all of its files or none.
/// </summary>
internal sealed class PartFileSink(PartFileSet files) : ISink
{
    public IReadOnlyList<string> Published => files.Published;

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        files.Write(batch.Data);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        files.Complete();
        return ValueTask.CompletedTask;
    }

    public ValueTask AbortAsync()
    {
        files.Abort();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }
}
