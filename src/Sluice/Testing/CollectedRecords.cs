using System.Collections.Concurrent;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.TypedPipelines;

namespace Sluice.Testing;

/// <summary>The sink of <see cref="Memory.Collect{T}"/> and what it published.</summary>
public sealed class CollectedRecords<T> : RecordSink<T>
{
    private readonly List<T> _items = [];

    internal CollectedRecords() : base(new CollectOptions())
    {
        ((CollectOptions)Options).Owner = this;
    }

    /// <summary>The records published so far (by every run of the pipeline), in the order they were written.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    private void Publish(IEnumerable<T> records)
    {
        lock (_items)
        {
            _items.AddRange(records);
        }
    }

    private sealed record CollectOptions : ISinkOptions
    {
        public CollectedRecords<T> Owner { get; set; } = null!;

        public ISink CreateSink(Schema input, BuildContext context) => new CollectSink(Owner, RecordReader<T>.For(input));
    }

    /// <summary>Two-phase like a file sink: written records are pending, a prepare sets them aside under a token, and
    /// only committing that token publishes them (once, however often it is committed).</summary>
    private sealed class CollectSink(CollectedRecords<T> owner, RecordReader<T> reader) : ISink
    {
        private readonly List<T> _pending = [];
        private readonly ConcurrentDictionary<string, List<T>> _prepared = new(); // commits run on the coordinator's thread

        public IReadOnlyList<string> Published { get; private set; } = [];

        public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
        {
            reader.Bind(batch.Data);
            try
            {
                for (int row = 0; row < batch.Length; row++)
                {
                    _pending.Add(reader.Read(row));
                }
            }
            finally
            {
                reader.Release();
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
        {
            string token = Guid.NewGuid().ToString("N");
            _prepared[token] = [.. _pending];
            _pending.Clear();
            return ValueTask.FromResult(new PreparedOutput(token, []));
        }

        public ValueTask CommitAsync(string token, CancellationToken cancellationToken)
        {
            if (_prepared.TryRemove(token, out var records))
            {
                owner.Publish(records);
                Published = ["memory"];
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask AbortAsync()
        {
            _pending.Clear();
            _prepared.Clear();
            return ValueTask.CompletedTask;
        }

        public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
