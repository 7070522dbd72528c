using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Connectors.Files;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>Reads the files of a <see cref="JsonlSourceOptions"/> in name order; see there for the behaviour.</summary>
internal sealed class JsonlSource : IReplayableSource, INamedDataset
{
    private readonly JsonlSourceOptions _options;
    private readonly string _baseDirectory;
    private readonly IReadOnlyList<string> _files;
    private readonly FileFollow? _follow;
    private readonly JsonlSourceColumns _columns;
    private readonly int _batchSize;

    private JsonlSource(JsonlSourceOptions options, string baseDirectory, IReadOnlyList<string> files, FileFollow? follow,
        JsonlSourceColumns columns, int batchSize)
    {
        _options = options;
        _baseDirectory = baseDirectory;
        _files = files;
        _follow = follow;
        _columns = columns;
        _batchSize = batchSize;
        Schema = new Schema(columns.Names.Select(n => new Field(n, StringType.Default, nullable: true)), null);
    }

    public Schema Schema { get; }

    /// <summary>The glob, absolute: every file it matches is one dataset.</summary>
    public LineageDataset Dataset => LineageDataset.ForFile(FileGlob.DatasetPath(_options.Path, _baseDirectory));

    public static JsonlSource Create(JsonlSourceOptions options, BuildContext context)
    {
        var files = FileGlob.Expand(options.Path, context.BaseDirectory, options.Exclude);
        if (files.Count == 0)
        {
            throw new PipelineException(null, $"no file matches '{options.Path}' in {Path.GetFullPath(context.BaseDirectory)}");
        }
        var columns = JsonlSourceColumns.Choose(options, context.ReadHint, files);
        return new JsonlSource(options, context.BaseDirectory, files, FileFollow.For(options.Path, context, options.Exclude), columns,
            context.BatchRows(columns.Count));
    }

    public IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken)
    {
        var parser = new JsonlRecordReader(_columns);
        return FileSourceLoop.ReadAsync(_files, _follow, Schema, context, FilePosition.From(resumeAfter),
            file => TextInput.OffsetsAreBytes(file, _options.Compression, _options.Encoding), _options.OnChangedFile,
            (file, resumeHere) => ReadFileAsync(file, resumeHere, parser, context, cancellationToken), cancellationToken);
    }

    public bool Reads(string file) => FileGlob.Matches(_options.Path, _baseDirectory, file, _options.Exclude);

    public Batch Parse(IOriginalRows records, StageContext context) => JsonRecordsReplay.Parse(_columns, Schema, records, context);

    private async IAsyncEnumerable<Batch> ReadFileAsync(string file, FilePosition? resumeAfter, JsonlRecordReader parser,
        StageContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = Open(file, context);
        if (stream is null)
        {
            yield break;
        }
        var lines = new JsonlLineReader(stream);
        if (resumeAfter is not null)
        {
            if ((stream.CanSeek && stream.Length < resumeAfter.Offset) || !lines.Seek(resumeAfter.Offset, resumeAfter.Line))
            {
                throw resumeAfter.Changed("is now shorter than that");
            }
        }
        // The column builders outlive the per-batch origin arrays, so they keep the data size they learned.
        var columns = Enumerable.Range(0, _columns.Count).Select(_ => new StringColumnBuilder(_batchSize)).ToArray();
        var batch = new BatchBuilder(columns, _batchSize);
        while (await lines.ReadLineAsync(cancellationToken))
        {
            if (JsonlRecordReader.IsBlank(lines.Line))
            {
                continue;
            }
            batch.Read++;
            if (parser.Parse(lines.Line) is { } error)
            {
                var origin = FileOrigins.At(file, lines.LineNumber, lines.Line.ToArray());
                context.DeadLetter(origin, DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
            }
            else
            {
                parser.AppendTo(batch.Columns, lines.Line);
                batch.Add(lines.LineNumber, lines.LineOffset, lines.LineLength);
            }
            if (batch.Count == _batchSize)
            {
                yield return batch.Build(Schema, file, lines, context);
                batch = new BatchBuilder(columns, _batchSize);
            }
        }
        if (batch.Read > 0)
        {
            // Maybe no rows (the lines after the last full batch were all dead-lettered): the position past
            // them must still be reported.
            yield return batch.Build(Schema, file, lines, context);
        }
        if (lines.Failure is { } failure)
        {
            // After the batch before the break: a checkpoint between them resumes before the break, without this letter.
            UnreadableFiles.Report(context, _options.OnUnreadableFile, file, FileLetters.UnreadableFile, failure, lines.LineNumber + 1,
                lines.Rest);
        }
    }

    private Stream? Open(string file, StageContext context)
    {
        try
        {
            return TextInput.Open(file, _options.Compression, _options.Encoding, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (UnreadableFileException e)
        {
            UnreadableFiles.Report(context, _options.OnUnreadableFile, file, e.Rule, e.Message, 1, FileSniff.Head(file));
            return null;
        }
    }

    /// <summary>The rows of the batch being filled: one string builder per column and the rows' origins.</summary>
    private sealed class BatchBuilder(StringColumnBuilder[] columns, int capacity)
    {
        private readonly long[] _lines = new long[capacity];
        private readonly long[] _offsets = new long[capacity];
        private readonly int[] _lengths = new int[capacity];

        public StringColumnBuilder[] Columns { get; } = columns;

        public int Count { get; private set; }

        /// <summary>Records read while filling this batch, dead-lettered ones included; counted when it is built.</summary>
        public long Read { get; set; }

        public void Add(long line, long offset, int length)
        {
            _lines[Count] = line;
            _offsets[Count] = offset;
            _lengths[Count] = length;
            Count++;
        }

        public Batch Build(Schema schema, string file, JsonlLineReader lines, StageContext context)
        {
            context.RecordsRead(Read);
            var data = new RecordBatch(schema, Columns.Select(c => (IArrowArray)c.Build()), Count);
            var rows = new JsonlSourceRows(file, lines.Buffer, lines.BufferOffset, _lines, _offsets, _lengths, Count);
            // The next batch starts after this one; the buffer keeps this batch's bytes until then.
            lines.RetainFrom(lines.NextOffset);
            return new Batch(data, new RowOrigins(rows), new FilePosition(file, lines.NextOffset, lines.LineNumber + 1).ToSource());
        }
    }
}
