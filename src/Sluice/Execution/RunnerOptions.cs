using Sluice.Execution;
using Sluice.Lineage;
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

    /// <summary>The most memory the process may hold while the run goes on (its resident set, as the operating system
    /// counts it). When set, batches and channels are sized from it (<see cref="Within"/>), and a run whose process
    /// goes above it fails at once with a message saying so, its last checkpoint standing (the next run resumes from
    /// it) — rather than the machine running out. At least <see cref="SmallestMemoryLimit"/>. Null (the default): no
    /// limit.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>The smallest <see cref="MemoryLimit"/>: the .NET runtime and Sluice hold about 60 MB before reading
    /// anything.</summary>
    public const long SmallestMemoryLimit = 128L << 20;

    /// <summary>These options with batches and channels sized so that a pipeline of <paramref name="stages"/>
    /// stages keeps its records in flight within a quarter of <paramref name="memoryLimit"/>, counting a generous
    /// 1 KB per row: channels of 2 batches, and batches of 256 to 8,192 rows (the default size needs 1 GB for a
    /// pipeline of 5 stages). The rest of the limit is for the runtime, the sinks' writers and operator state.</summary>
    public RunnerOptions Within(long memoryLimit, int stages)
    {
        const int Capacity = 2;
        const long BytesPerRow = 1024;
        long rows = memoryLimit / 4 / BytesPerRow / (Math.Max(stages, 1) * (Capacity + 1));
        int batch = (int)Math.Clamp(rows / 256 * 256, 256, 8192);
        return this with { BatchSize = Math.Min(batch, BatchSize), ChannelCapacity = Math.Min(Capacity, ChannelCapacity), MemoryLimit = memoryLimit };
    }

    /// <summary>The run new runs are recorded under (<see cref="RunRecord.ParentRunId"/>): the flow run whose task
    /// runs the pipeline. Null (the default): none.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Where OpenLineage run events go (a file or an HTTP endpoint): START as each run starts, COMPLETE, FAIL
    /// or ABORT as it ends. Null (the default): none are sent; the lineage is still recorded in the state store.</summary>
    public LineageOptions? Lineage { get; init; }
}
