using ParquetSharp;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using ParquetSharp.Arrow;
using Sluice.Connectors.Files;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Parquet;

/// <summary>Reads the files of a <see cref="ParquetSourceOptions"/> in name order; see there for the behaviour.</summary>
internal sealed class ParquetSource : IReplayableSource, INamedDataset
{
    private readonly ParquetSourceOptions _options;
    private readonly string _baseDirectory;
    private readonly IReadOnlyList<string> _files;
    private readonly FileFollow? _follow;
    private readonly string _schemaFile;
    private readonly int _batchSize;

    private ParquetSource(ParquetSourceOptions options, string baseDirectory, IReadOnlyList<string> files, FileFollow? follow, Schema schema,
        string schemaFile, int batchSize)
    {
        _schemaFile = schemaFile;
        _options = options;
        _baseDirectory = baseDirectory;
        _files = files;
        _follow = follow;
        Schema = schema;
        _batchSize = batchSize;
    }

    public Schema Schema { get; }

    /// <summary>The glob, absolute: every file it matches is one dataset.</summary>
    public LineageDataset Dataset => LineageDataset.ForFile(FileGlob.DatasetPath(_options.Path, _baseDirectory));

    public static ParquetSource Create(ParquetSourceOptions options, BuildContext context)
    {
        var files = FileGlob.Expand(options.Path, context.BaseDirectory, options.Exclude);
        if (files.Count == 0)
        {
            throw new PipelineException(null, $"no file matches '{options.Path}' in {Path.GetFullPath(context.BaseDirectory)}");
        }
        // The first file that opens fixes the columns; one that does not is dead-lettered (or fails the run) when read.
        foreach (string file in files)
        {
            Schema fileSchema;
            try
            {
                using var reader = new FileReader(file);
                fileSchema = reader.Schema;
            }
            catch (ParquetException)
            {
                continue;
            }
            var problems = new List<Diagnostic>();
            var schema = Normalise(fileSchema, file, problems);
            if (problems.Count > 0)
            {
                throw new PipelineException(problems);
            }
            return new ParquetSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), schema, file,
                context.BatchRows(schema.FieldsList.Count));
        }
        return new ParquetSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), new Schema([], null), files[0],
            context.BatchSize);
    }

    public bool Reads(string file) => FileGlob.Matches(_options.Path, _baseDirectory, file, _options.Exclude);

    public Batch Parse(IOriginalRows records, StageContext context) => ParquetRowsReplay.Parse(Schema, records, context);

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var properties = ArrowReaderProperties.GetDefault();
        properties.BatchSize = _batchSize; // the reader then never hands out more rows than a batch may hold
        await foreach (var batch in FileSourceLoop.ReadAsync(_files, _follow, Schema, context, FilePosition.From(resumeAfter), canGrow: _ => false, _options.OnChangedFile,
            (file, resumeHere) => ReadFileAsync(file, resumeHere, properties, context, cancellationToken), cancellationToken))
        {
            yield return batch;
        }
    }

    private async IAsyncEnumerable<Batch> ReadFileAsync(string file, FilePosition? resumeAfter, ArrowReaderProperties properties,
        StageContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The system allocator, as for the Parquet sink: Arrow's jemalloc pool keeps freed pages.
        using var readerProperties = ReaderProperties.WithMemoryPool(MemoryPool.SystemMemoryPool());
        using var reader = Open(file, readerProperties, properties, context);
        if (reader is null)
        {
            yield break;
        }
        var fileSchema = reader.Schema;
        var problems = new List<Diagnostic>();
        if (!SameColumns(Normalise(fileSchema, file, problems), Schema) || problems.Count > 0)
        {
            string message = $"it has columns ({Describe(fileSchema)}) but {_schemaFile} has ({Describe(Schema)}); "
                + "every file of a parquet source must have the same columns";
            if (resumeAfter is not null)
            {
                throw new InvalidDataException($"{file}: {message}"); // it changed under the checkpoint
            }
            Unreadable(context, file, FileLetters.SchemaMismatch, message, 1);
            yield break;
        }
        long nextRow = 1;
        long skip = 0;
        int[]? rowGroups = null;
        if (resumeAfter is not null)
        {
            (rowGroups, nextRow) = RowGroupsFrom(reader, resumeAfter);
            skip = resumeAfter.Offset - nextRow;
            if (rowGroups.Length == 0)
            {
                yield break; // the position is the end of the file
            }
        }
        var batches = reader.GetRecordBatchReader(rowGroups);
        // After a decoding error the row groups are read again one at a time from the one the error came in, so the
        // rows kept before a damaged group do not depend on where batches happened to straddle groups (a resumed read
        // starts its batches elsewhere): the break, and so its letter, is the same from every position.
        Queue<int>? salvage = null;
        try
        {
            while (true)
            {
                RecordBatch? read;
                try
                {
                    read = await batches.ReadNextRecordBatchAsync(cancellationToken);
                }
                catch (Exception e) when (e is ParquetException || e.GetType() == typeof(Exception))
                {
                    // Arrow's C stream import reports a decoding error as a plain Exception with the native message.
                    if (salvage is null)
                    {
                        (var groups, long first) = RowGroupsFrom(reader, new FilePosition(file, nextRow + skip, nextRow + skip));
                        (salvage, skip, nextRow) = (new Queue<int>(groups), nextRow + skip - first, first);
                        read = null;
                    }
                    else
                    {
                        // After the batches before the break: a checkpoint between them resumes before it, without this letter.
                        Unreadable(context, file, FileLetters.UnreadableFile,
                            $"row {nextRow + skip} on cannot be decoded: {ParquetErrors.Plain(e)}", nextRow + skip);
                        yield break;
                    }
                }
                if (read is null)
                {
                    if (salvage is not { Count: > 0 })
                    {
                        yield break;
                    }
                    batches.Dispose();
                    batches = reader.GetRecordBatchReader([salvage.Dequeue()]);
                    continue;
                }
                if (skip >= read.Length)
                {
                    skip -= read.Length;
                    nextRow += read.Length;
                    continue;
                }
                // Copying the kept rows (rather than slicing) keeps every emitted array at offset 0.
                int[]? kept = skip > 0 ? Enumerable.Range((int)skip, read.Length - (int)skip).ToArray() : null;
                var columns = new IArrowArray[read.ColumnCount];
                for (int c = 0; c < columns.Length; c++)
                {
                    columns[c] = ParquetSourceTypes.Convert(read.Column(c), Schema.FieldsList[c].DataType);
                    if (kept is not null)
                    {
                        columns[c] = ArrayTake.Take(columns[c], kept);
                    }
                }
                nextRow += skip;
                var data = new RecordBatch(Schema, columns, read.Length - (int)skip);
                skip = 0;
                context.RecordsRead(data.Length);
                var origins = new RowOrigins(new ParquetSourceRows(file, data, nextRow));
                nextRow += data.Length;
                yield return new Batch(data, origins, new FilePosition(file, nextRow, nextRow).ToSource());
            }
        }
        finally
        {
            batches.Dispose();
        }
    }

    private FileReader? Open(string file, ReaderProperties readerProperties, ArrowReaderProperties properties, StageContext context)
    {
        try
        {
            return new FileReader(file, readerProperties, properties);
        }
        catch (ParquetException e)
        {
            string message = FileSniff.NotParquet(file) is { } looks
                ? UnreadableFiles.Looks(looks, "take it out of the glob")
                : $"it is a damaged Parquet file: {ParquetErrors.Plain(e)}";
            Unreadable(context, file, FileLetters.UnreadableFile, message, 1);
            return null;
        }
    }

    /// <summary>A Parquet file's original bytes are its first bytes: rows have no bytes of their own.</summary>
    private void Unreadable(StageContext context, string file, string rule, string message, long row) =>
        UnreadableFiles.Report(context, _options.OnUnreadableFile, file, rule, message, row, FileSniff.Head(file));

    /// <summary>The row groups from the one holding the row <paramref name="at"/> resumes with, and the number
    /// of the first row of that group.</summary>
    private static (int[] RowGroups, long FirstRow) RowGroupsFrom(FileReader reader, FilePosition at)
    {
        long rows = reader.ParquetReader.FileMetaData.NumRows;
        if (rows < at.Offset - 1)
        {
            throw at.Changed($"now has only {rows} rows");
        }
        long first = 1;
        int group = 0;
        for (; group < reader.NumRowGroups; group++)
        {
            using var rowGroup = reader.ParquetReader.RowGroup(group);
            long count = rowGroup.MetaData.NumRows;
            if (first + count > at.Offset)
            {
                break;
            }
            first += count;
        }
        return (Enumerable.Range(group, reader.NumRowGroups - group).ToArray(), first);
    }

    private static Schema Normalise(Schema schema, string file, List<Diagnostic> problems)
    {
        var fields = new List<Field>();
        foreach (var field in schema.FieldsList)
        {
            if (ParquetSourceTypes.Normalise(field.DataType, out string? problem) is { } type)
            {
                fields.Add(new Field(field.Name, type, nullable: true));
            }
            else
            {
                problems.Add(new Diagnostic(null,
                    $"column '{field.Name}' of {file}: {problem}; convert it before reading, or read another copy without it"));
            }
        }
        return new Schema(fields, null);
    }

    private static bool SameColumns(Schema a, Schema b) =>
        a.FieldsList.Count == b.FieldsList.Count &&
        a.FieldsList.Zip(b.FieldsList).All(p => p.First.Name == p.Second.Name &&
            ParquetSourceTypes.Describe(p.First.DataType) == ParquetSourceTypes.Describe(p.Second.DataType));

    private static string Describe(Schema schema) =>
        string.Join(", ", schema.FieldsList.Select(f => $"{f.Name} {ParquetSourceTypes.Describe(f.DataType)}"));
}
