using Apache.Arrow;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>
/// Writes batches as RFC 4180 part files (<c>part-{run}-{seq}.csv</c>): UTF-8 without BOM, LF line ends, a header
/// row in every file unless turned off, invariant-culture numbers, dates as <c>yyyy-MM-dd</c> and timestamps as
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>. A field is quoted only when it contains the delimiter, a quote, CR or LF
/// (quotes doubled). A null is an empty field and an empty string is <c>""</c>, so the two stay distinguishable
/// (as DuckDB writes them).
/// Consumes when: a batch arrives; it is encoded before <see cref="WriteAsync"/> returns, buffering at most 64 KiB.
/// Backpressures when: encoding or the disk is slower than upstream. Completes when: the run completes; then files are
/// flushed, fsynced and renamed to their final names together. Guarantee: a run publishes all of its files or none.
/// </summary>
internal sealed class CsvSink : ISink
{
    private readonly PartFileSet _files;

    public CsvSink(CsvSinkOptions options, Schema input, BuildContext context)
    {
        if (!CsvSinkOptions.IsValidDelimiter(options.Delimiter))
        {
            throw new PipelineException(null, $"the csv sink's delimiter (U+{(int)options.Delimiter:X4}) is not one ASCII character other than a quote or a line break; use e.g. ',' or ';'");
        }
        var types = PartFileSchema.FieldTypesOf(input, "csv");
        _files = new PartFileSet(context.Resolve(options.Path), context.RunId, "csv", options.MaxRowsPerFile,
            stream => new CsvSinkWriter(stream, input, types, (byte)options.Delimiter, options.Header));
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
