using Sluice.Execution;
namespace Sluice;

/// <summary>How the runner sizes its batches and channels. Memory in flight is bounded by
/// about (stages × <see cref="ChannelCapacity"/> + stages) × <see cref="BatchSize"/> rows, whatever the input size.</summary>
public sealed record RunnerOptions
{
    /// <summary>Rows per batch. The default value is 8192 (measured against 4096 and 16384 on the 3M-row CSV job: fastest, same peak memory).</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>Batches a channel between two stages holds before the upstream stage waits. The default value is 4.</summary>
    public int ChannelCapacity { get; init; } = 4;

    /// <summary>How long the run's lease on its pipeline lasts without a heartbeat; the runner renews it every third
    /// of this. A process that dies holds the pipeline for at most this long. The default value is 30 seconds.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When set, file sources do not end after the files they matched but poll their glob this often for
    /// new ones (<c>sluice run --follow</c>): the run goes on until it is cancelled. Null (the default): runs end.</summary>
    public TimeSpan? FollowPoll { get; init; }

    /// <summary>The run new runs are recorded under (<see cref="RunRecord.ParentRunId"/>): the flow run whose task
    /// runs the pipeline. Null (the default): none.</summary>
    public string? ParentRunId { get; init; }
}
