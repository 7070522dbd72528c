using Sluice.Connectors;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>jsonl</c> sink, which writes batches as JSON Lines part files (<c>part-{run}-{seq}.jsonl</c>): one compact object per row, keys in
/// column order, nulls as <c>null</c>, decimals as exact JSON numbers, dates as <c>"yyyy-MM-dd"</c> and timestamps
/// as <c>"yyyy-MM-ddTHH:mm:ss.ffffffZ"</c>. JSON has no NaN or infinity, so those doubles are written as <c>null</c>:
/// a number column never holds a string (keep them out with a contract's <c>min</c>/<c>max</c>, which they break).
/// Flow control and the two-phase publishing at checkpoints: see <see cref="PartFileSink"/>.
/// </summary>
public sealed record JsonlSinkOptions : ISinkOptions
{
    /// <summary>Output folder; relative paths resolve against the pipeline file's folder.</summary>
    public required string Path { get; init; }

    /// <summary>Rows per part file. The default is 1,000,000.</summary>
    public long MaxRowsPerFile { get; init; } = PartFileOptions.DefaultMaxRowsPerFile;

    public static ComponentSpec Spec { get; } = new("jsonl", StageKind.Sink,
        "Writes JSON Lines part files (one compact object per row) into a folder; files appear (renamed from .inprogress) when a checkpoint commits, each record exactly once.",
        Shape.Object(PartFileOptions.Path, PartFileOptions.MaxRowsPerFile),
        node => new JsonlSinkOptions
        {
            Path = node.GetString("path")!,
            MaxRowsPerFile = PartFileOptions.PositiveInt64(node, "max_rows_per_file", PartFileOptions.DefaultMaxRowsPerFile),
        },
        Example: "sink:\n  type: jsonl\n  path: out/events");

    public ISink CreateSink(Schema input, BuildContext context)
    {
        var types = PartFileSchema.FieldTypesOf(input, "jsonl");
        return new PartFileSink(new PartFileSet(context.Resolve(Path), context.RunId, "jsonl", MaxRowsPerFile,
            stream => new JsonlSinkWriter(stream, input, types)));
    }
}
