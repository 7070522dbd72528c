using Apache.Arrow;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Parquet;

/// <summary>
/// Writes batches as Parquet part files (<c>part-{run}-{seq}.parquet</c>) through ParquetSharp's Arrow writer, so
/// columns go from Arrow buffers to Parquet pages without a per-row step.
/// Consumes when: a batch arrives; it is encoded before <see cref="WriteAsync"/> returns, buffering at most one
/// row group. Backpressures when: encoding or the disk is slower than upstream. Completes when: the run completes;
/// then files are finished, fsynced and renamed to their final names together. Guarantee: a run publishes all of its
/// files or none.
/// </summary>
internal sealed class ParquetSink : ISink
{
    private readonly PartFileSet _files;

    public ParquetSink(ParquetSinkOptions options, Schema input, BuildContext context)
    {
        if (options.RowGroupRows < 1)
        {
            throw new PipelineException(null, $"the parquet sink's row_group_rows is {options.RowGroupRows}; it must be at least 1 (the default is 131072)");
        }
        PartFileSchema.FieldTypesOf(input, "parquet");
        _files = new PartFileSet(context.Resolve(options.Path), context.RunId, "parquet", options.MaxRowsPerFile,
            stream => new ParquetSinkWriter(stream, input, options.Compression, options.RowGroupRows));
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
