using Sluice.Records;

namespace Sluice.Execution;

/// <summary>What moves through a channel between two stages: a batch, or the barrier of checkpoint
/// <see cref="Barrier"/> (every batch before it belongs to that checkpoint, every batch after it to a later one).</summary>
internal readonly record struct Flow(Batch? Batch, long Barrier)
{
    public static Flow Of(Batch batch) => new(batch, 0);

    public static Flow BarrierOf(long checkpoint) => new(null, checkpoint);
}
