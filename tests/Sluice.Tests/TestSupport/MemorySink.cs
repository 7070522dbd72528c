using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>A sink that keeps the ids it received; "publishes" them only when a prepared token is committed, like a
/// file sink.</summary>
public sealed record MemorySinkOptions : ISinkOptions
{
    public ConcurrentQueue<long> Received { get; } = new();
    public ConcurrentQueue<long> Published { get; } = new();
    public StrongBox<int> Written { get; } = new(0);
    public StrongBox<bool> Aborted { get; } = new(false);

    /// <summary>Sinks built from these options, and how many of them were disposed.</summary>
    public StrongBox<int> Created { get; } = new(0);
    public StrongBox<int> Disposed { get; } = new(0);

    /// <summary>Delay per batch, to make the sink the bottleneck.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Called with the number of batches written so far, before each write; lets a test observe backpressure.</summary>
    public Action<int>? BeforeWrite { get; init; }

    /// <summary>Ids the sink refuses: each is dead-lettered (reason sink) instead of written, as a database sink
    /// refuses a value its column cannot hold.</summary>
    public IReadOnlySet<long> Refuse { get; init; } = new HashSet<long>();

    public ISink CreateSink(Schema input, BuildContext context)
    {
        Interlocked.Increment(ref Created.Value);
        return new MemorySink(this);
    }
}

internal sealed class MemorySink(MemorySinkOptions options) : ISink
{
    private readonly List<long> _pending = [];

    public IReadOnlyList<string> Published { get; private set; } = [];

    public async ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        options.BeforeWrite?.Invoke(options.Written.Value);
        if (options.Delay > TimeSpan.Zero)
        {
            await Task.Delay(options.Delay, cancellationToken);
        }
        var ids = (Int64Array)batch.Data.Column(batch.Schema.GetFieldIndex("id"));
        for (int i = 0; i < ids.Length; i++)
        {
            if (options.Refuse.Contains(ids.GetValue(i)!.Value))
            {
                context.DeadLetter(batch.Origins[i], DeadLetterReason.Sink, "id", "refused", $"id {ids.GetValue(i)} is refused");
                continue;
            }
            _pending.Add(ids.GetValue(i)!.Value);
            options.Received.Enqueue(ids.GetValue(i)!.Value);
        }
        options.Written.Value++;
    }

    // Commits run on the checkpoint coordinator's thread while the worker prepares later tokens.
    private readonly ConcurrentDictionary<string, List<long>> _prepared = [];

    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        string token = Guid.NewGuid().ToString("N");
        _prepared[token] = [.. _pending];
        _pending.Clear();
        return ValueTask.FromResult(new PreparedOutput(token, []));
    }

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        if (_prepared.TryRemove(token, out var ids))
        {
            foreach (var id in ids)
            {
                options.Published.Enqueue(id);
            }
        }
        Published = ["memory"];
        return ValueTask.CompletedTask;
    }

    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AbortAsync()
    {
        options.Aborted.Value = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref options.Disposed.Value);
        return ValueTask.CompletedTask;
    }
}
