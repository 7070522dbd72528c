using Apache.Arrow;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>
/// Writes batches as JSON Lines part files (<c>part-{run}-{seq}.jsonl</c>): one compact object per row, keys in
/// column order, nulls as <c>null</c>, decimals as exact JSON numbers, dates as <c>"yyyy-MM-dd"</c> and timestamps
/// as <c>"yyyy-MM-ddTHH:mm:ss.ffffffZ"</c>. JSON has no NaN or infinity, so those doubles are written as the strings
/// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (what System.Text.Json reads with named floating-point literals).
/// Consumes when: a batch arrives; it is encoded before <see cref="WriteAsync"/> returns, buffering at most 64 KiB.
/// Backpressures when: encoding or the disk is slower than upstream. Completes when: the run completes; then files are
/// flushed, fsynced and renamed to their final names together. Guarantee: a run publishes all of its files or none.
/// </summary>
internal sealed class JsonlSink : ISink
{
    private readonly PartFileSet _files;

    public JsonlSink(JsonlSinkOptions options, Schema input, BuildContext context)
    {
        var types = PartFileSchema.FieldTypesOf(input, "jsonl");
        _files = new PartFileSet(context.Resolve(options.Path), context.RunId, "jsonl", options.MaxRowsPerFile,
            stream => new JsonlSinkWriter(stream, input, types));
    }

    public IReadOnlyList<string> Published => _files.Published;

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        _files.Write(batch.Data);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _files.Complete();
        return ValueTask.CompletedTask;
    }

    public ValueTask AbortAsync()
    {
        _files.Abort();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
