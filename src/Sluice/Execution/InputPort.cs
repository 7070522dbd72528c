using System.Threading.Channels;
using Sluice.Records;

namespace Sluice.Execution;

/// <summary>The bounded input channel of a stage, completed when the last of its upstream stages is done
/// (a union has several).</summary>
internal sealed class InputPort
{
    private int _openWriters;

    public InputPort(int writers, int capacity)
    {
        _openWriters = writers;
        Channel = System.Threading.Channels.Channel.CreateBounded<Batch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = writers == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Channel<Batch> Channel { get; }

    public void WriterDone()
    {
        if (Interlocked.Decrement(ref _openWriters) == 0)
        {
            Channel.Writer.TryComplete();
        }
    }
}
