using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Bench.Micro;

/// <summary>A source that hands out one batch built beforehand, <paramref name="Times"/> times over, so that a
/// benchmark measures the engine moving batches and nothing of how batches are made. Sharing one instance is
/// allowed: batches are immutable once emitted.</summary>
public sealed record PrebuiltSourceOptions(Batch Batch, int Times) : ISourceOptions
{
    public ISource CreateSource(BuildContext context) => new PrebuiltSource(Batch, Times);
}

internal sealed class PrebuiltSource(Batch batch, int times) : ISource
{
    public Schema Schema => batch.Schema;

    // Not an async iterator: every MoveNextAsync completes synchronously, as a source whose data is already in
    // memory would, and the enumerator costs one allocation per run rather than a state machine per batch.
    public IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken) =>
        new Enumerable(batch, times, context);

    private sealed class Enumerable(Batch batch, int times, StageContext context) : IAsyncEnumerable<Batch>, IAsyncEnumerator<Batch>
    {
        private int _emitted;

        public Batch Current => batch;

        public IAsyncEnumerator<Batch> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync()
        {
            if (_emitted == times)
            {
                return ValueTask.FromResult(false);
            }
            _emitted++;
            context.RecordsRead(batch.Length); // the counting contract every source follows
            return ValueTask.FromResult(true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Builds a batch of <paramref name="rows"/> rows: an int64 id and a short string, the shape of a
    /// narrow real table. The engine never looks inside, so the columns only make the batch realistic.</summary>
    public static Batch Build(int rows)
    {
        var ids = new Int64Array.Builder();
        var names = new StringArray.Builder();
        for (int i = 0; i < rows; i++)
        {
            ids.Append(i);
            names.Append($"row{i}");
        }
        var schema = new Schema.Builder()
            .Field(f => f.Name("id").DataType(Apache.Arrow.Types.Int64Type.Default))
            .Field(f => f.Name("name").DataType(Apache.Arrow.Types.StringType.Default))
            .Build();
        return new Batch(new RecordBatch(schema, [ids.Build(), names.Build()], rows), new RowOrigins(new MemoryRows(rows)));
    }

    private sealed class MemoryRows(int count) : IOriginalRows
    {
        public string Input => "memory";
        public int Count => count;
        public string Position(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => System.Text.Encoding.UTF8.GetBytes($"row{index}");
    }
}
