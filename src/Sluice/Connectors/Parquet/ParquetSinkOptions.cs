using Sluice.Connectors;
using Apache.Arrow;
using ParquetSharp;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Connectors.Parquet;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>parquet</c> sink, which writes batches as Parquet part files (<c>part-{run}-{seq}.parquet</c>) through ParquetSharp's Arrow writer, so
/// columns go from Arrow buffers to Parquet pages without a per-row step.
/// Flow control and the two-phase publishing at checkpoints: see <see cref="PartFileSink"/>.
/// </summary>
public sealed record ParquetSinkOptions : ISinkOptions
{
    /// <summary>Output folder; relative paths resolve against the pipeline file's folder.</summary>
    public required string Path { get; init; }

    /// <summary>Rows per part file. The default is 1,000,000.</summary>
    public long MaxRowsPerFile { get; init; } = PartFileOptions.DefaultMaxRowsPerFile;

    /// <summary>Codec for every column. The default is <see cref="Compression.Zstd"/>.</summary>
    public Compression Compression { get; init; } = Compression.Zstd;

    /// <summary>Rows per row group (the unit readers skip and parallelise over). The default is 131,072.</summary>
    public long RowGroupRows { get; init; } = 131_072;

    private static readonly string[] CompressionNames = ["zstd", "snappy", "gzip", "none"];

    public static ComponentSpec Spec { get; } = new("parquet", StageKind.Sink,
        "Writes Parquet part files into a folder; files appear (renamed from .inprogress) when a checkpoint commits, each record exactly once.",
        Shape.Object(
            PartFileOptions.Path,
            PartFileOptions.MaxRowsPerFile,
            new OptionSpec("compression", Shape.Enum(CompressionNames), "Compression codec of every column.", Default: "zstd"),
            new OptionSpec("row_group_rows", Shape.Integer, "Rows per row group.", Default: "131072")),
        node => new ParquetSinkOptions
        {
            Path = node.GetString("path")!,
            MaxRowsPerFile = PartFileOptions.PositiveInt64(node, "max_rows_per_file", PartFileOptions.DefaultMaxRowsPerFile),
            Compression = node.GetString("compression", "zstd") switch
            {
                "snappy" => Compression.Snappy,
                "gzip" => Compression.Gzip,
                "none" => Compression.Uncompressed,
                _ => Compression.Zstd,
            },
            RowGroupRows = PartFileOptions.PositiveInt64(node, "row_group_rows", 131_072),
        },
        Example: "sink:\n  type: parquet\n  path: out/flights\n  compression: zstd");

    public ISink CreateSink(Schema input, BuildContext context)
    {
        if (RowGroupRows < 1)
        {
            throw new PipelineException(null, $"the parquet sink's row_group_rows is {RowGroupRows}; it must be at least 1 (the default is 131072)");
    }
    PartFileSchema.FieldTypesOf(input, "parquet");
    return new PartFileSink(new PartFileSet(context.Resolve(Path), context.RunId, "parquet", MaxRowsPerFile,
        stream => new ParquetSinkWriter(stream, input, Compression, RowGroupRows), emptyPartNamesColumns: true));
    }
}
