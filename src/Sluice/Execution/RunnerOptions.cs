namespace Sluice.Execution;

/// <summary>How the runner sizes its batches and channels. Memory in flight is bounded by
/// about (stages × <see cref="ChannelCapacity"/> + stages) × <see cref="BatchSize"/> rows, whatever the input size.</summary>
public sealed record RunnerOptions
{
    /// <summary>Rows per batch. The default value is 4096.</summary>
    public int BatchSize { get; init; } = 4096;

    /// <summary>Batches a channel between two stages holds before the upstream stage waits. The default value is 4.</summary>
    public int ChannelCapacity { get; init; } = 4;
}
