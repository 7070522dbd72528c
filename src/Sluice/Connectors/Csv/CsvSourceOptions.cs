using Sluice.Connectors;
using System.Globalization;
using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>csv</c> source: delimited text files (RFC 4180; UTF-8 or UTF-16, plain or gzip-compressed), every
/// column read as a nullable string.
/// </summary>
public sealed record CsvSourceOptions : ISourceOptions
{
    /// <summary>Default for <see cref="MaxRecordBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxRecordBytes = 1 << 20;

    // The read buffer grows to hold one whole record, so this bounds its memory (and keeps sizes far from int overflow).
    private const int MaxMaxRecordBytes = 1 << 28;

    /// <summary>Glob of the files to read, relative to the pipeline file's folder; files are read in name order.</summary>
    public required string Path { get; init; }

    /// <summary>Field separator, one ASCII character. The default value is <c>,</c>.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Quote character, one ASCII character. The default value is <c>"</c>.</summary>
    public char Quote { get; init; } = '"';

    /// <summary>Whether the first line of every file names the columns. When false, columns are named
    /// <c>column_1</c>, <c>column_2</c>, … The default value is true.</summary>
    public bool Header { get; init; } = true;

    /// <summary>Longest record accepted, in bytes. A quoted field still open past this limit is taken for a stray
    /// quote: its first line is dead-lettered and reading resumes on the next line. The default value is 1 MiB.</summary>
    public int MaxRecordBytes { get; init; } = DefaultMaxRecordBytes;

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

    /// <summary>What a header naming a column twice does. The default value is <see cref="CsvDuplicateColumns.Fail"/>.</summary>
    public CsvDuplicateColumns DuplicateColumns { get; init; } = CsvDuplicateColumns.Fail;

    public static ComponentSpec Spec { get; } = new(
        "csv",
        StageKind.Source,
        "Reads delimited text files (RFC 4180, UTF-8 with or without BOM or UTF-16, LF or CRLF, plain or gzip). Every "
            + "column is a nullable string: an empty field is null, a quoted empty field (\"\") is an empty string. A broken "
            + "row is dead-lettered with its original bytes and reading resumes at the next line. The first readable file "
            + "that is not empty fixes the columns; a file that cannot be read (another encoding, binary, corrupt, a different "
            + "header) is one dead letter (rule unreadable_file or header_mismatch) unless on_unreadable_file is fail.",
        Shape.Object([
            FileSourceOptions.Path("data/*.csv"),
            FileSourceOptions.Exclude,
            new OptionSpec("delimiter", Shape.String, "Field separator, one ASCII character.", Default: ","),
            new OptionSpec("quote", Shape.String, "Quote character, one ASCII character.", Default: "\""),
            new OptionSpec("header", Shape.Boolean,
                "Whether the first line names the columns; when false they are named column_1, column_2, …", Default: "true"),
            new OptionSpec("max_record_bytes", Shape.Integer,
                "Longest record accepted, in bytes; a quoted field still open past it is dead-lettered as a stray quote.",
                Default: DefaultMaxRecordBytes.ToString(CultureInfo.InvariantCulture)),
            .. FileReadOptionNames.TextSpecs,
            FileSourceOptions.OnChangedFile,
            new OptionSpec("duplicate_columns", Shape.Enum("fail", "rename"),
                "A header naming a column twice: fail refuses the pipeline naming the columns and the file and line; rename calls the "
                + "second one name_2, the third name_3, …", Default: "fail")]),
        Bind,
        Example: "source:\n  type: csv\n  path: data/*.csv\n  delimiter: \";\"");

    public ISource CreateSource(BuildContext context)
    {
        var problems = Problems(null);
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        return CsvSource.Open(this, context);
    }

    private static CsvSourceOptions Bind(ConfigNode node)
    {
        var problems = new List<Diagnostic>();
        char Character(string key, char fallback, string example)
        {
            if (node[key] is not { } value)
            {
                return fallback;
            }
            if (value.Text.Length != 1)
            {
                problems.Add(new Diagnostic(value.Location,
                    $"{key} must be exactly one character, not '{value.Text}'; write e.g. {example}"));
                return fallback;
            }
            return value.Text[0];
        }

        var options = new CsvSourceOptions
        {
            Path = node.GetString("path")!,
            Delimiter = Character("delimiter", ',', "delimiter: \";\" (or \"\\t\" for a tab)"),
            Quote = Character("quote", '"', "quote: \"'\""),
            Header = node.GetBool("header") ?? true,
            MaxRecordBytes = (int)Math.Clamp(node.GetInt64("max_record_bytes") ?? DefaultMaxRecordBytes, int.MinValue, int.MaxValue),
            OnChangedFile = FileSourceOptions.BindOnChangedFile(node),
            Exclude = node.GetStrings("exclude") ?? [],
            Compression = FileReadOptionNames.ParseCompression(node.GetString("compression")),
            Encoding = FileReadOptionNames.ParseEncoding(node.GetString("encoding")),
            OnUnreadableFile = FileReadOptionNames.ParseOnUnreadable(node.GetString("on_unreadable_file")),
            DuplicateColumns = node.GetString("duplicate_columns") == "rename" ? CsvDuplicateColumns.Rename : CsvDuplicateColumns.Fail,
        };
        problems.AddRange(options.Problems(node));
        return problems.Count == 0 ? options : throw new PipelineException(problems);
    }

    // The reader works on bytes, so the delimiter and quote must each be one byte of UTF-8, i.e. ASCII.
    private List<Diagnostic> Problems(ConfigNode? node)
    {
        SourceLocation? At(string key) => node?[key]?.Location ?? node?.Location;
        var problems = new List<Diagnostic>();
        if (!IsUsableByte(Delimiter))
        {
            problems.Add(new Diagnostic(At("delimiter"), "delimiter must be one ASCII character other than a line break; write e.g. delimiter: \",\" or \";\" or \"\\t\""));
        }
        if (!IsUsableByte(Quote))
        {
            problems.Add(new Diagnostic(At("quote"), "quote must be one ASCII character other than a line break; write e.g. quote: \"'\""));
        }
        if (Delimiter == Quote)
        {
            problems.Add(new Diagnostic(At("quote"), $"delimiter and quote are both '{Delimiter}'; choose two different characters"));
        }
        if (MaxRecordBytes is < 1 or > MaxMaxRecordBytes)
        {
            problems.Add(new Diagnostic(At("max_record_bytes"),
                $"max_record_bytes must be between 1 and {MaxMaxRecordBytes} bytes, e.g. max_record_bytes: {DefaultMaxRecordBytes}"));
        }
        return problems;
    }

    private static bool IsUsableByte(char c) => c < 128 && c != '\n' && c != '\r';
}
