using System.Diagnostics;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Sluice.Records;

namespace Sluice.Bench.Micro;

/// <summary>
/// What each piece of the runner's per-batch bookkeeping costs on this machine, one thread, no contention: the
/// same calls <c>RunExecution</c> makes around every batch (timestamps, interlocked counters, the dead-letter
/// buffer's lock, the input-port lookup, one channel write and read). Multiply by how often a batch meets each
/// to split a per-batch figure from <see cref="EngineBenchmarks"/>.
/// </summary>
public class BookkeepingBenchmarks
{
    private readonly object _lock = new();
    private readonly List<int> _pending = [];
    private readonly Dictionary<object, Channel<Batch>> _inputs = [];
    private readonly object _node = new();
    private Channel<Batch> _channel = null!;
    private Batch _batch = null!;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        _batch = PrebuiltSource.Build(1);
        _channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(4)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _inputs[_node] = _channel;
    }

    /// <summary><c>Stopwatch.GetTimestamp()</c>: the runner takes two per batch per stage.</summary>
    [Benchmark]
    public long Timestamp() => Stopwatch.GetTimestamp();

    /// <summary><c>StageCounters.AddIn/AddOut/AddBusy</c>: three per batch per stage.</summary>
    [Benchmark]
    public long InterlockedAdd() => Interlocked.Add(ref _counter, 1024);

    /// <summary><c>DeadLetterBuffer.FlushIfFullAsync</c> when nothing is pending: once per batch per source and transform.</summary>
    [Benchmark]
    public Task FlushIfFullCheck()
    {
        lock (_lock)
        {
            if (_pending.Count < 1024)
            {
                return Task.CompletedTask;
            }
        }
        return Task.Delay(1);
    }

    /// <summary><c>_inputs[downstream]</c> in <c>EmitAsync</c>: once per batch per downstream stage.</summary>
    [Benchmark]
    public Channel<Batch> InputLookup() => _inputs[_node];

    /// <summary>A channel write that finds room and a read that finds the batch, with no worker to wake: the least
    /// a hop costs. A hop that wakes a waiting reader adds a thread-pool dispatch on top.</summary>
    [Benchmark]
    public bool ChannelWriteThenRead()
    {
        _channel.Writer.TryWrite(_batch);
        return _channel.Reader.TryRead(out _);
    }
}
