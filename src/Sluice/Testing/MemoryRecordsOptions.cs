using Sluice.Connectors.Files;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.TypedPipelines;

namespace Sluice.Testing;

/// <summary>The source of <see cref="Memory.Records{T}"/>: emits when a batch is full, never waits; resumes after
/// the record a checkpoint's position names.</summary>
internal sealed record MemoryRecordsOptions<T>(IReadOnlyList<T> Records, int BatchSize) : ISourceOptions
{
    public ISource CreateSource(BuildContext context) => BatchSize < 1
        ? throw new PipelineException(null, $"Memory.Records: batchSize must be at least 1; found {BatchSize}")
        : new MemoryRecordsSource<T>(Records, BatchSize);
}

internal sealed class MemoryRecordsSource<T>(IReadOnlyList<T> records, int batchSize) : ISource
{
    private const string Origin = "memory";
    private readonly RecordWriter<T> _writer = new();

    public Schema Schema => _writer.Schema;

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumePosition,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var resumeAfter = FilePosition.From(resumePosition);
        for (int start = (int)(resumeAfter?.Offset ?? 0); start < records.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, records.Count - start);
            _writer.Start(count);
            for (int i = start; i < start + count; i++)
            {
                _writer.Append(records[i]);
            }
            context.RecordsRead(count);
            yield return new Batch(_writer.Build(), new RowOrigins(new Originals(records, start, count)),
                new FilePosition(Origin, start + count, start + count + 1).ToSource());
            await Task.Yield();
        }
    }

    private sealed class Originals(IReadOnlyList<T> records, int start, int count) : IOriginalRows
    {
        public string Input => Origin;
        public int Count => count;
        public string Position(int index) => (start + index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => JsonSerializer.SerializeToUtf8Bytes(records[start + index]);
    }
}
