using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Connectors.Files;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>
/// The <c>csv</c> source: reads the files a glob matches, in name order, as batches of nullable string columns named
/// by the first file's header. Every file must have the same header. A broken record is dead-lettered (reason
/// <c>parse</c>) with its file, line, byte offset and original bytes, and reading goes on.
/// <para>
/// Emits when a batch holds <see cref="BuildContext.BatchSize"/> records or a file ends (a batch never spans two
/// files; an empty or header-only file emits nothing; when the records after a file's last full batch were all
/// dead-lettered, a zero-row batch carries the position past them). Backpressures by not reading while the
/// consumer has not asked for the next batch. Completes after the last file. Cancels between batches. Fails when a
/// file's header differs from the first file's, or a file cannot be opened.
/// </para>
/// <para>
/// Positions: the byte offset past the last record read and the line the next one starts on. Resuming reads the
/// header from the start of the file (to check it), then seeks there.
/// </para>
/// </summary>
internal sealed class CsvSource : IReplayableSource
{
    private readonly CsvSourceOptions _options;
    private readonly string _baseDirectory;
    private readonly IReadOnlyList<string> _files;
    private readonly FileFollow? _follow;
    private readonly string _schemaFile;
    private readonly string[] _columns;
    private readonly int _batchSize;

    private CsvSource(CsvSourceOptions options, string baseDirectory, IReadOnlyList<string> files, FileFollow? follow, string schemaFile,
        string[] columns, int batchSize)
    {
        _options = options;
        _baseDirectory = baseDirectory;
        _files = files;
        _follow = follow;
        _schemaFile = schemaFile;
        _columns = columns;
        _batchSize = batchSize;
        Schema = new Schema(columns.Select(c => new Field(c, StringType.Default, nullable: true)), null);
    }

    public Schema Schema { get; }

    /// <summary>Expands the glob and fixes the columns from the first file that is not empty (no columns when
    /// every file is empty).</summary>
    public static CsvSource Open(CsvSourceOptions options, BuildContext context)
    {
        var files = FileGlob.Expand(options.Path, context.BaseDirectory, options.Exclude);
        if (files.Count == 0)
        {
            throw new PipelineException(null, $"no file matches '{options.Path}' in {Path.GetFullPath(context.BaseDirectory)}");
        }
        foreach (var file in files)
        {
            using var reader = CsvRecordReader.Open(file, options);
            var result = reader.Read();
            if (result == CsvReadResult.End)
            {
                continue;
            }
            if (result == CsvReadResult.Broken)
            {
                throw new PipelineException(null,
                    $"{file} line {reader.Line}: cannot read the {(options.Header ? "header" : "first record")}: {reader.Message}");
            }
            string[] columns = options.Header
                ? HeaderNames(reader)
                : Enumerable.Range(1, reader.FieldCount).Select(i => $"column_{i}").ToArray();
            return new CsvSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), file, columns, context.BatchSize);
        }
        return new CsvSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), files[0], [], context.BatchSize);
    }

    public IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken)
    {
        var builder = new CsvBatchBuilder(Schema, _batchSize);
        return FileSourceLoop.ReadAsync(_files, _follow, Schema, context, resumeAfter, canGrow: true, _options.OnChangedFile,
            (file, resumeHere) => ReadFile(file, resumeHere, builder, context, cancellationToken).ToAsyncEnumerable(), cancellationToken);
    }

    private IEnumerable<Batch> ReadFile(string file, SourcePosition? resumeHere, CsvBatchBuilder builder, StageContext context,
        CancellationToken cancellationToken)
    {
        if (resumeHere is not null && new FileInfo(file).Length < resumeHere.Offset)
        {
            throw resumeHere.Changed("is now shorter than that");
        }
        using var reader = CsvRecordReader.Open(file, _options);
        if (!StartFile(reader, file))
        {
            yield break;
        }
        if (resumeHere is not null)
        {
            // The header was read and checked from the start of the file; the records go on from here.
            reader.Seek(resumeHere.Offset, resumeHere.Line);
        }
        while (ReadBatch(reader, builder, context, file) is { } batch)
        {
            yield return batch;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public bool Reads(string file) => FileGlob.Matches(_options.Path, _baseDirectory, file, _options.Exclude);

    /// <summary>Each record alone, with the columns of today's files: a broken record's bytes (a stray quote's
    /// first line) must not run into the next record's.</summary>
    public Batch Parse(IOriginalRows records, StageContext context)
    {
        var builder = new CsvBatchBuilder(Schema, Math.Max(1, records.Count));
        var kept = new List<int>(records.Count);
        byte quote = (byte)_options.Quote;
        var origins = new RowOrigins(records);
        for (int i = 0; i < records.Count; i++)
        {
            var origin = origins[i];
            using var reader = new CsvRecordReader(new MemoryStream(origin.Original.ToArray()), (byte)_options.Delimiter, quote, _options.MaxRecordBytes)
            {
                ExpectedFields = _columns.Length,
            };
            var result = reader.Read();
            if (result == CsvReadResult.Record && origin.Original.Span[(int)reader.EndOffset..].IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                // They were one record (or one broken line) when dead-lettered; other options may cut them in two.
                context.DeadLetter(origin, DeadLetterReason.Parse, null, "record_count", "the bytes hold more than one record");
            }
            else if (result == CsvReadResult.Record)
            {
                builder.Append(reader, quote);
                kept.Add(i);
            }
            else if (result == CsvReadResult.Broken)
            {
                string? field = reader.BrokenField >= 0 && reader.BrokenField < _columns.Length ? _columns[reader.BrokenField] : null;
                context.DeadLetter(origin, DeadLetterReason.Parse, field, reader.Rule, reader.Message);
            }
            else
            {
                context.DeadLetter(origin, DeadLetterReason.Parse, null, "empty", "the record has no bytes");
            }
        }
        var data = builder.Build(new SourcePosition(records.File, 0, 0)).Data;
        return new Batch(data, origins.Select(kept.ToArray()));
    }

    /// <summary>Reads past the header, checking it; false for an empty file.</summary>
    private bool StartFile(CsvRecordReader reader, string file)
    {
        if (_options.Header)
        {
            var result = reader.Read();
            if (result == CsvReadResult.End)
            {
                return false;
            }
            if (result == CsvReadResult.Broken)
            {
                throw new InvalidDataException($"{file} line {reader.Line}: cannot read the header: {reader.Message}");
            }
            var names = HeaderNames(reader);
            if (!names.AsSpan().SequenceEqual(_columns))
            {
                throw new InvalidDataException(
                    $"{file} has columns ({string.Join(", ", names)}) but {_schemaFile} has ({string.Join(", ", _columns)}): "
                    + Difference(names, _columns) + "; every file must have the same header");
            }
        }
        reader.ExpectedFields = _columns.Length;
        return true;
    }

    /// <summary>Reads records until a batch is full or the file ends; null when the file has no more records.
    /// The batch has no rows when every record read was dead-lettered: its position still covers them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private Batch? ReadBatch(CsvRecordReader reader, CsvBatchBuilder builder, StageContext context, string file)
    {
        long read = 0;
        byte quote = (byte)_options.Quote;
        while (builder.Count < _batchSize && reader.Read() is var result && result != CsvReadResult.End)
        {
            read++;
            if (result == CsvReadResult.Record)
            {
                builder.Append(reader, quote);
            }
            else
            {
                var origin = new RowOrigin(file, reader.Line, reader.Offset, reader.Record.ToArray());
                string? field = reader.BrokenField >= 0 && reader.BrokenField < _columns.Length ? _columns[reader.BrokenField] : null;
                context.DeadLetter(origin, DeadLetterReason.Parse, field, reader.Rule, reader.Message);
            }
        }
        context.RecordsRead(read);
        if (read == 0)
        {
            return null;
        }
        var (offset, line) = reader.MovePast();
        return builder.Build(new SourcePosition(file, offset, line));
    }

    /// <summary>Column names from the header record; an empty name becomes <c>column_N</c> so every column can be named.</summary>
    private static string[] HeaderNames(CsvRecordReader reader)
    {
        var names = new string[reader.FieldCount];
        for (int i = 0; i < names.Length; i++)
        {
            string name = reader.FieldString(i);
            names[i] = name.Length == 0 ? $"column_{i + 1}" : name;
        }
        return names;
    }

    private static string Difference(string[] found, string[] expected)
    {
        for (int i = 0; i < Math.Min(found.Length, expected.Length); i++)
        {
            if (found[i] != expected[i])
            {
                return $"column {i + 1} is '{found[i]}' instead of '{expected[i]}'";
            }
        }
        return $"it has {found.Length} columns instead of {expected.Length}";
    }
}
