using Sluice.Connectors;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>csv</c> sink, which writes batches as RFC 4180 part files (<c>part-{run}-{seq}.csv</c>): UTF-8 without BOM, LF line ends, a header
/// row in every file unless turned off, invariant-culture numbers, dates as <c>yyyy-MM-dd</c> and timestamps as
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>. A field is quoted only when it contains the delimiter, a quote, CR or LF
/// (quotes doubled). A null is an empty field and an empty string is <c>""</c>, so the two stay distinguishable
/// (as DuckDB writes them).
/// Flow control and the two-phase publishing at checkpoints: see <see cref="PartFileSink"/>.
/// </summary>
public sealed record CsvSinkOptions : ISinkOptions
{
    /// <summary>Output folder; relative paths resolve against the pipeline file's folder.</summary>
    public required string Path { get; init; }

    /// <summary>Rows per part file. The default is 1,000,000.</summary>
    public long MaxRowsPerFile { get; init; } = PartFileOptions.DefaultMaxRowsPerFile;

    /// <summary>Field separator: one ASCII character other than a quote, CR or LF. The default is a comma.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Whether every part file starts with a row of column names. The default is true.</summary>
    public bool Header { get; init; } = true;

    public static ComponentSpec Spec { get; } = new("csv", StageKind.Sink,
        "Writes delimited text part files (RFC 4180, UTF-8, LF line ends) into a folder; files appear (renamed from .inprogress) when a checkpoint commits, each record exactly once.",
        Shape.Object(
            PartFileOptions.Path,
            PartFileOptions.MaxRowsPerFile,
            new OptionSpec("delimiter", Shape.String, "Field separator, one ASCII character.", Default: ","),
            new OptionSpec("header", Shape.Boolean, "Start every file with a row of column names.", Default: "true")),
        node => new CsvSinkOptions
        {
            Path = node.GetString("path")!,
            MaxRowsPerFile = PartFileOptions.PositiveInt64(node, "max_rows_per_file", PartFileOptions.DefaultMaxRowsPerFile),
            Delimiter = BindDelimiter(node),
            Header = node.GetBool("header") ?? true,
        },
        Example: "sink:\n  type: csv\n  path: out/flights\n  delimiter: \";\"");

    public ISink CreateSink(Schema input, BuildContext context)
    {
        if (!CsvSinkOptions.IsValidDelimiter(Delimiter))
        {
            throw new PipelineException(null, $"the csv sink's delimiter (U+{(int)Delimiter:X4}) is not one ASCII character other than a quote or a line break; use e.g. ',' or ';'");
    }
    var types = PartFileSchema.FieldTypesOf(input, "csv");
    return new PartFileSink(new PartFileSet(context.Resolve(Path), context.RunId, "csv", MaxRowsPerFile,
        stream => new CsvSinkWriter(stream, input, types, (byte)Delimiter, Header), emptyPartNamesColumns: Header));
    }

    internal static bool IsValidDelimiter(char c) => char.IsAscii(c) && c is not ('"' or '\r' or '\n');

    private static char BindDelimiter(ConfigNode node)
    {
        string text = node.GetString("delimiter", ",");
        return text.Length == 1 && IsValidDelimiter(text[0])
            ? text[0]
            : throw new PipelineException(node["delimiter"]!.Location,
                "delimiter must be one ASCII character other than a quote or a line break; write e.g. delimiter: \";\" or delimiter: \"\\t\"");
    }
}
