using Sluice.Connectors;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Reads JSON Lines files: one JSON object per line, UTF-8 (a leading BOM is skipped) or UTF-16, LF or CRLF line
/// breaks, plain or gzip-compressed. A file that cannot be read is one dead letter (see <see cref="OnUnreadableFile"/>).
/// Every column is a string holding the value's text — strings unescaped, numbers as written, <c>true</c>/<c>false</c>,
/// nested objects and arrays as their raw JSON — and JSON <c>null</c> or a missing key is null. Typing the values
/// is the contract's job downstream, so a number is never silently rounded here.
/// </summary>
/// <remarks>
/// Columns: when the source feeds a contract, the contract's fields, plus (unless the contract drops unknown
/// fields) the other keys of the first <see cref="InferRows"/> records of the first file; otherwise
/// <see cref="Columns"/> if given, else the keys of those first records, in order of first appearance.
/// A record with a key outside the columns, or a line that is not a JSON object in valid UTF-8 without duplicate
/// keys, is dead-lettered (reason <c>parse</c>) with its line and original bytes. Blank lines are skipped.
/// Emits a batch when it holds <see cref="BuildContext.BatchSize"/> records or a file ends; backpressures by
/// awaiting the downstream channel; completes after the last file. The position after a batch is the byte offset
/// past its last line read and the number of the next line (a zero-row batch carries it when the lines after a
/// file's last full batch were all dead-lettered); resuming seeks there.
/// </remarks>
public sealed record JsonlSourceOptions : ISourceOptions
{
    /// <summary>Glob of the files to read, in name order.</summary>
    public required string Path { get; init; }

    /// <summary>The keys to emit as columns, in this order; null to infer them. Ignored when a contract follows.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>How many records of the first file are read to infer the columns. The default value is 1000.</summary>
    public int InferRows { get; init; } = 1000;

    /// <summary>What to do with a file consumed by an earlier run that has changed in place since.</summary>
    public OnChangedFile OnChangedFile { get; init; } = OnChangedFile.Reread;

    /// <summary>Globs of files the path matches that are not read.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Whether files are gzip-compressed. The default value is <see cref="TextCompression.Auto"/>: a file
    /// that starts with the gzip magic bytes is decompressed.</summary>
    public TextCompression Compression { get; init; } = TextCompression.Auto;

    /// <summary>The files' character encoding. The default value is <see cref="TextEncoding.Utf8"/>.</summary>
    public TextEncoding Encoding { get; init; } = TextEncoding.Utf8;

    /// <summary>What a file that cannot be read costs. The default value is <see cref="OnUnreadableFile.DeadLetter"/>.</summary>
    public OnUnreadableFile OnUnreadableFile { get; init; } = OnUnreadableFile.DeadLetter;

    public static ComponentSpec Spec { get; } = new(
        "jsonl",
        StageKind.Source,
        "Reads JSON Lines files (one JSON object per line). Values arrive as text; a contract types them.",
        Shape.Object([
            FileSourceOptions.Path("data/*.jsonl"),
            FileSourceOptions.Exclude,
            new OptionSpec("columns", Shape.ListOf(Shape.String),
                "Keys to emit as columns, in this order. Without it the keys of the first `infer_rows` records are used; " +
                "with a contract downstream the contract's fields are.", Example: "[id, name, amount]"),
            new OptionSpec("infer_rows", Shape.Integer, "Records of the first readable file read to find the columns.", Default: "1000"),
            .. FileReadOptionNames.TextSpecs,
            FileSourceOptions.OnChangedFile]),
        Bind);

    public ISource CreateSource(BuildContext context) => JsonlSource.Create(this, context);

    private static JsonlSourceOptions Bind(ConfigNode node)
    {
        var diagnostics = new List<Diagnostic>();
        int inferRows = 1000;
        if (node["infer_rows"] is { } rows)
        {
            if (!int.TryParse(rows.Text, System.Globalization.CultureInfo.InvariantCulture, out inferRows) || inferRows < 1)
            {
                diagnostics.Add(new Diagnostic(rows.Location,
                    $"infer_rows must be a whole number from 1 to {int.MaxValue}, not '{rows.Text}'; write e.g. infer_rows: 1000"));
            }
        }
        var columns = node["columns"];
        if (columns is not null)
        {
            if (columns.Items.Count == 0)
            {
                diagnostics.Add(new Diagnostic(columns.Location,
                    "columns is empty; list the keys to read, or remove columns to infer them from the first records"));
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var column in columns.Items.Where(c => !seen.Add(c.Text)))
            {
                diagnostics.Add(new Diagnostic(column.Location, $"column '{column.Text}' is listed twice; list each key once"));
            }
        }
        if (diagnostics.Count > 0)
        {
            throw new PipelineException(diagnostics);
        }
        return new JsonlSourceOptions
        {
            Path = node.GetString("path")!,
            Columns = columns?.Items.Select(c => c.Text).ToList(),
            InferRows = inferRows,
            OnChangedFile = FileSourceOptions.BindOnChangedFile(node),
            Exclude = node.GetStrings("exclude") ?? [],
            Compression = FileReadOptionNames.ParseCompression(node.GetString("compression")),
            Encoding = FileReadOptionNames.ParseEncoding(node.GetString("encoding")),
            OnUnreadableFile = FileReadOptionNames.ParseOnUnreadable(node.GetString("on_unreadable_file")),
        };
    }
}
