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
/// by the header of the first readable file that is not empty. A broken record is dead-lettered (reason
/// <c>parse</c>) with its file, line, byte offset and original bytes, and reading goes on. A file that cannot be read
/// (see <see cref="Files.TextInput"/>), or whose header differs, is one dead letter (<see cref="UnreadableFiles"/>);
/// one whose decompressed text breaks midway keeps the records before the break and is one dead letter for the rest.
/// <para>
/// Emits when a batch holds <see cref="BuildContext.BatchSize"/> records or a file ends (a batch never spans two
/// files; an empty or header-only file emits nothing; when the records after a file's last full batch were all
/// dead-lettered, a zero-row batch carries the position past them). Backpressures by not reading while the
/// consumer has not asked for the next batch. Completes after the last file. Cancels between batches. Fails when a
/// file cannot be opened, or cannot be read and <c>on_unreadable_file</c> is <c>fail</c>.
/// </para>
/// <para>
/// Positions: the byte offset past the last record read and the line the next one starts on (offsets in the
/// decompressed UTF-8 text for a gzip or UTF-16 file). Resuming reads the header from the start of the file (to check
/// it), then seeks there (reads forward to it in a gzip or UTF-16 file). The letter for a file's unreadable rest is
/// written after the batch before the break, so the checkpoint that holds it also records the file as consumed.
/// </para>
/// </summary>
internal sealed class CsvSource : IReplayableSource, INamedDataset
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

    /// <summary>The glob, absolute: every file it matches is one dataset.</summary>
    public LineageDataset Dataset => LineageDataset.ForFile(FileGlob.DatasetPath(_options.Path, _baseDirectory));

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
            CsvRecordReader reader;
            try
            {
                reader = CsvRecordReader.Open(file, options, verify: false); // the header only: the read checks the file
            }
            catch (UnreadableFileException)
            {
                continue; // it is dead-lettered (or fails the run) when it is read
            }
            using (reader)
            {
                var result = reader.Read();
                if (result != CsvReadResult.Record)
                {
                    continue; // empty, or its first record cannot be read: not one to take the columns from
                }
                string[] columns = options.Header
                    ? Unique(HeaderNames(reader), options.DuplicateColumns, $"{file} line {reader.Line}")
                    : Enumerable.Range(1, reader.FieldCount).Select(i => $"column_{i}").ToArray();
                return new CsvSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), file, columns,
                    context.BatchRows(columns.Length));
            }
        }
        return new CsvSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), files[0], [], context.BatchSize);
    }

    public IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken)
    {
        var builder = new CsvBatchBuilder(Schema, _batchSize);
        return FileSourceLoop.ReadAsync(_files, _follow, Schema, context, FilePosition.From(resumeAfter),
            file => TextInput.OffsetsAreBytes(file, _options.Compression, _options.Encoding), _options.OnChangedFile,
            (file, resumeHere) => ReadFile(file, resumeHere, builder, context, cancellationToken).ToAsyncEnumerable(), cancellationToken);
    }

    private IEnumerable<Batch> ReadFile(string file, FilePosition? resumeHere, CsvBatchBuilder builder, StageContext context,
        CancellationToken cancellationToken)
    {
        using var reader = OpenOrReport(file, context);
        if (reader is null)
        {
            yield break;
        }
        if (resumeHere is not null && reader.ReadsFileBytes && new FileInfo(file).Length < resumeHere.Offset)
        {
            throw resumeHere.Changed("is now shorter than that");
        }
        if (!StartFile(reader, file, resumeHere is not null, context))
        {
            yield break;
        }
        if (resumeHere is not null && !reader.Seek(resumeHere.Offset, resumeHere.Line))
        {
            // The header was read and checked from the start of the file; the records go on from here.
            throw resumeHere.Changed("can no longer be read up to there");
        }
        while (ReadBatch(reader, builder, context, file) is { } batch)
        {
            yield return batch;
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (reader.Read() == CsvReadResult.Unreadable)
        {
            // After the batch before the break: a checkpoint between them resumes before the break, without this letter.
            UnreadableFiles.Report(context, _options.OnUnreadableFile, file, FileLetters.UnreadableFile, reader.Message, reader.Line,
                reader.Record);
        }
    }

    private CsvRecordReader? OpenOrReport(string file, StageContext context)
    {
        try
        {
            return CsvRecordReader.Open(file, _options);
        }
        catch (UnreadableFileException e)
        {
            UnreadableFiles.Report(context, _options.OnUnreadableFile, file, e.Rule, e.Message, 1, FileSniff.Head(file));
            return null;
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
        var data = builder.Build(new FilePosition(records.Input, 0, 0)).Data;
        return new Batch(data, origins.Select(kept.ToArray()));
    }

    /// <summary>Reads past the header, checking it; false for an empty file, or one whose header differs (its dead
    /// letter written; when resuming in it, the file changed under the checkpoint: that fails).</summary>
    private bool StartFile(CsvRecordReader reader, string file, bool resuming, StageContext context)
    {
        if (_options.Header)
        {
            var result = reader.Read();
            if (result == CsvReadResult.End)
            {
                return false;
            }
            if (result == CsvReadResult.Broken && !resuming)
            {
                UnreadableFiles.Report(context, _options.OnUnreadableFile, file, FileLetters.UnreadableFile,
                    $"line {reader.Line}: the header cannot be read: {reader.Message}", reader.Line, reader.Record);
                return false;
            }
            if (result == CsvReadResult.Broken)
            {
                throw new InvalidDataException($"{file} line {reader.Line}: cannot read the header: {reader.Message}");
            }
            if (result == CsvReadResult.Unreadable)
            {
                return true; // the reading reports it
            }
            var names = HeaderNames(reader);
            if (_options.DuplicateColumns == CsvDuplicateColumns.Rename)
            {
                names = Renamed(names);
            }
            if (!names.AsSpan().SequenceEqual(_columns))
            {
                string message = $"it has columns ({string.Join(", ", names)}) but {_schemaFile} has ({string.Join(", ", _columns)}): "
                    + Difference(names, _columns) + (Duplicates(names) is { } twice ? $"; it names {twice} more than once" : "")
                    + "; every file must have the same header";
                if (resuming)
                {
                    throw new InvalidDataException($"{file} {message}");
                }
                UnreadableFiles.Report(context, _options.OnUnreadableFile, file, FileLetters.HeaderMismatch, message, reader.Line,
                    reader.Record);
                return false;
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
        while (builder.Count < _batchSize && reader.Read() is var result and (CsvReadResult.Record or CsvReadResult.Broken))
        {
            read++;
            if (result == CsvReadResult.Record)
            {
                builder.Append(reader, quote);
            }
            else
            {
                var origin = FileOrigins.At(file, reader.Line, reader.Record.ToArray());
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
        return builder.Build(new FilePosition(file, offset, line));
    }

    /// <summary>Column names from the header record; an empty name becomes <c>column_N</c> so every column can be named.</summary>
    internal static string[] HeaderNames(CsvRecordReader reader)
    {
        var names = new string[reader.FieldCount];
        for (int i = 0; i < names.Length; i++)
        {
            string name = reader.FieldString(i);
            names[i] = name.Length == 0 ? $"column_{i + 1}" : name;
        }
        return names;
    }

    /// <summary>The schema-defining header's names, each once: renamed, or refused with where the header is.</summary>
    private static string[] Unique(string[] names, CsvDuplicateColumns duplicates, string where)
    {
        if (Duplicates(names) is not { } twice)
        {
            return names;
        }
        if (duplicates == CsvDuplicateColumns.Rename)
        {
            return Renamed(names);
        }
        throw new PipelineException(null, $"{where}: the header names {twice} more than once; a column must have one name (a JSON sink "
            + "would write the key twice, a contract would see only the first): rename them in the file, or set duplicate_columns: rename "
            + "on the source to read them as name_2, name_3, …");
    }

    /// <summary>The second column of a name becomes <c>name_2</c>, the third <c>name_3</c>, … skipping names taken.</summary>
    internal static string[] Renamed(string[] names)
    {
        var taken = names.ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var renamed = new string[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            int n = seen[names[i]] = seen.GetValueOrDefault(names[i]) + 1;
            string name = names[i];
            while (n > 1 && !taken.Add(name = $"{names[i]}_{n}"))
            {
                n++;
            }
            renamed[i] = name;
        }
        return renamed;
    }

    /// <summary>E.g. <c>'id' (columns 1 and 3)</c>, or null when every name is used once.</summary>
    private static string? Duplicates(string[] names)
    {
        var twice = names.Select((name, i) => (name, column: i + 1)).GroupBy(c => c.name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"'{g.Key}' (columns {string.Join(", ", g.SkipLast(1).Select(c => c.column))} and {g.Last().column})")
            .ToList();
        return twice.Count == 0 ? null : string.Join(", ", twice);
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
