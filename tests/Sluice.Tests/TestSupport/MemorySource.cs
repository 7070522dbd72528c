using System.Runtime.CompilerServices;
using System.Text;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>A source of generated rows (id int64, name string) for engine tests: no files involved.</summary>
public sealed record MemorySourceOptions(long Rows, int BatchSize = 1000) : ISourceOptions
{
    /// <summary>Thrown by the source after this many batches, to test failure handling.</summary>
    public int? FailAfterBatches { get; init; }

    /// <summary>Counts batches handed to the runner, shared with the test.</summary>
    public StrongBox<int> Emitted { get; } = new(0);

    public ISource CreateSource(BuildContext context) => new MemorySource(this);
}

internal sealed class MemorySource(MemorySourceOptions options) : ISource
{
    public Schema Schema { get; } = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Apache.Arrow.Types.Int64Type.Default))
        .Field(f => f.Name("name").DataType(Apache.Arrow.Types.StringType.Default))
        .Build();

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int batches = 0;
        for (long start = 0; start < options.Rows; start += options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batches == options.FailAfterBatches)
            {
                throw new IOException("disk on fire");
            }
            int n = (int)Math.Min(options.BatchSize, options.Rows - start);
            var ids = new Int64Array.Builder();
            var names = new StringArray.Builder();
            for (long i = start; i < start + n; i++)
            {
                ids.Append(i);
                names.Append($"row{i}");
            }
            context.RecordsRead(n);
            batches++;
            Interlocked.Increment(ref options.Emitted.Value);
            yield return new Batch(new RecordBatch(Schema, [ids.Build(), names.Build()], n), new RowOrigins(new GeneratedRows(start, n)));
            await Task.Yield();
        }
    }

    private sealed class GeneratedRows(long start, int count) : IOriginalRows
    {
        public string Input => "memory";
        public int Count => count;
        public string Position(int index) => (start + index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => Encoding.UTF8.GetBytes($"row{start + index}");
    }
}
