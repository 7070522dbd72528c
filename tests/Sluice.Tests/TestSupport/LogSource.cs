using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>
/// An in-memory append-only log read like a stream by a consumer group: its position is the last sequence number
/// read (its own text, opaque to the engine), it continues across runs, and it records every commit it is told of.
/// Rows are (id int64 = the sequence number, name string), as <see cref="MemorySource"/>'s.
/// </summary>
public sealed record LogSourceOptions : ISourceOptions
{
    /// <summary>The log: entry i has sequence number i + 1. A test appends to it between runs.</summary>
    public List<long> Entries { get; } = [];

    /// <summary>The positions <see cref="ISource.CommittedAsync"/> was called with, in order.</summary>
    public ConcurrentQueue<long> Committed { get; } = new();

    /// <summary>Positions each run started after (null: from the start), in order.</summary>
    public ConcurrentQueue<long?> StartedAfter { get; } = new();

    public int BatchSize { get; init; } = 10;

    /// <summary>Makes <see cref="ISource.CommittedAsync"/> throw, as a broker that went away would.</summary>
    public bool FailCommits { get; init; }

    /// <summary>How many of the sources built from these options were disposed.</summary>
    public int Disposed => _disposed;

    /// <summary>Whether a source was told of a commit after it was disposed (the engine must not).</summary>
    public bool CommittedAfterDisposal { get; set; }

    private int _disposed;

    internal void CountDisposal() => Interlocked.Increment(ref _disposed);

    public void Append(int count)
    {
        lock (Entries)
        {
            for (int i = 0; i < count; i++)
            {
                Entries.Add(Entries.Count + 1);
            }
        }
    }

    public ISource CreateSource(BuildContext context) => new LogSource(this);
}

internal sealed class LogSource(LogSourceOptions options) : ISource, IAsyncDisposable
{
    private bool _disposed;

    public Schema Schema { get; } = new Schema.Builder()
        .Field(f => f.Name("id").DataType(Apache.Arrow.Types.Int64Type.Default))
        .Field(f => f.Name("name").DataType(Apache.Arrow.Types.StringType.Default))
        .Build();

    public bool ContinuesAcrossRuns => true;

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = resumeAfter is null ? null : long.Parse(resumeAfter.Value, CultureInfo.InvariantCulture);
        options.StartedAfter.Enqueue(after);
        long[] entries;
        lock (options.Entries)
        {
            entries = options.Entries.Where(e => e > (after ?? 0)).ToArray();
        }
        foreach (var chunk in entries.Chunk(options.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = new Int64Array.Builder().AppendRange(chunk).Build();
            var names = new StringArray.Builder().AppendRange(chunk.Select(e => $"entry{e}")).Build();
            context.RecordsRead(chunk.Length);
            yield return new Batch(new RecordBatch(Schema, [ids, names], chunk.Length), new RowOrigins(new LogRows(chunk)),
                new SourcePosition(chunk[^1].ToString(CultureInfo.InvariantCulture)));
            await Task.Yield();
        }
    }

    public ValueTask CommittedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        options.CommittedAfterDisposal |= _disposed;
        if (options.FailCommits)
        {
            throw new IOException("the broker went away");
        }
        options.Committed.Enqueue(long.Parse(position.Value, CultureInfo.InvariantCulture));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        options.CountDisposal();
        return ValueTask.CompletedTask;
    }

    private sealed class LogRows(long[] sequences) : IOriginalRows
    {
        public string Input => "log";
        public int Count => sequences.Length;
        public string Position(int index) => (sequences[index]).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => System.Text.Encoding.UTF8.GetBytes($"entry{sequences[index]}");
    }
}
