using System.Threading.Channels;

namespace Sluice.Execution;

/// <summary>
/// The inputs of a stage: one bounded channel per upstream stage, so that a union can <b>align</b> checkpoint
/// barriers. Once barrier <i>k</i> arrives on one input, that input is not read again until <i>k</i> has arrived on
/// every input still open; only then does the stage see the barrier, once. Everything it saw before the barrier
/// therefore came from before <i>k</i> on every input. An input that completes counts as aligned: all its data is
/// already read.
/// </summary>
/// <remarks>Read by the stage's one worker only.</remarks>
internal sealed class InputPort
{
    private readonly Channel<Flow>[] _channels;
    private readonly IReadOnlyList<StageNode> _upstream;
    private readonly bool[] _done;
    private readonly bool[] _blocked;
    private readonly Task<bool>?[] _waits; // one pending wait per input, reused until it completes
    private long _aligning;
    private int _next;

    public InputPort(IReadOnlyList<StageNode> upstream, int capacity)
    {
        _upstream = upstream;
        _channels = upstream.Select(_ => Channel.CreateBounded<Flow>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        })).ToArray();
        _done = new bool[_channels.Length];
        _blocked = new bool[_channels.Length];
        _waits = new Task<bool>?[_channels.Length];
    }

    public ChannelWriter<Flow> WriterFor(StageNode upstream) => _channels[IndexOf(upstream)].Writer;

    /// <summary>The next batch or (aligned) barrier; null when every input is complete.</summary>
    public ValueTask<Flow?> ReadAsync(CancellationToken cancellationToken) =>
        _channels.Length == 1 ? ReadOneAsync(_channels[0].Reader, cancellationToken) : ReadAlignedAsync(cancellationToken);

    private static async ValueTask<Flow?> ReadOneAsync(ChannelReader<Flow> reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (reader.TryRead(out var flow))
            {
                return flow;
            }
            if (!await reader.WaitToReadAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    private async ValueTask<Flow?> ReadAlignedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(out var flow))
            {
                return flow;
            }
            if (_done.All(d => d))
            {
                return null;
            }
            var waits = new List<Task<bool>>(_channels.Length);
            for (int i = 0; i < _channels.Length; i++)
            {
                if (!_done[i] && !_blocked[i])
                {
                    waits.Add(_waits[i] ??= _channels[i].Reader.WaitToReadAsync(cancellationToken).AsTask());
                }
            }
            await Task.WhenAny(waits);
            for (int i = 0; i < _channels.Length; i++)
            {
                if (_waits[i] is { IsCompleted: true } wait)
                {
                    _waits[i] = null;
                    _done[i] |= !await wait; // false: completed and drained
                }
            }
        }
    }

    /// <summary>Takes what is ready without waiting: the aligned barrier once every open input is blocked on it,
    /// else the next item of an unblocked input (round robin, so no input starves).</summary>
    private bool TryTake(out Flow flow)
    {
        while (true)
        {
            if (_aligning != 0 && Enumerable.Range(0, _channels.Length).All(i => _done[i] || _blocked[i]))
            {
                flow = Flow.BarrierOf(_aligning);
                _aligning = 0;
                Array.Clear(_blocked);
                return true;
            }
            bool took = false;
            flow = default;
            for (int j = 0; j < _channels.Length && !took; j++)
            {
                int i = (_next + j) % _channels.Length;
                if (!_done[i] && !_blocked[i] && _channels[i].Reader.TryRead(out flow))
                {
                    _next = i + 1;
                    took = true;
                    if (flow.Batch is null)
                    {
                        _blocked[i] = true;
                        _aligning = flow.Barrier;
                    }
                }
            }
            if (!took)
            {
                return false;
            }
            if (flow.Batch is not null)
            {
                return true;
            }
        }
    }

    private int IndexOf(StageNode upstream)
    {
        for (int i = 0; i < _upstream.Count; i++)
        {
            if (ReferenceEquals(_upstream[i], upstream))
            {
                return i;
            }
        }
        throw new ArgumentException($"stage '{upstream.Name}' does not feed this stage", nameof(upstream));
    }
}
