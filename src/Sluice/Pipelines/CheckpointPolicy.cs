using Sluice.Pipelines;
namespace Sluice;

/// <summary>How often a run takes a checkpoint: after <see cref="EveryRecords"/> records read or
/// <see cref="EverySeconds"/> seconds, whichever comes first (0 turns that trigger off). Whatever the policy, a run
/// also checkpoints when many dead letters wait (to bound memory) and once at its end.</summary>
/// <remarks>Each checkpoint publishes what the run wrote since the one before, as new part files: a shorter interval
/// means less work redone after a crash and fresher output, but more, smaller files.</remarks>
public sealed record CheckpointPolicy(long EveryRecords = CheckpointPolicy.DefaultEveryRecords, double EverySeconds = CheckpointPolicy.DefaultEverySeconds)
{
    /// <summary>One million records: about a second of work for a file-to-file job, and one part file's worth.</summary>
    public const long DefaultEveryRecords = 1_000_000;

    /// <summary>Sixty seconds: bounds how stale the output of a slow or never-ending run gets.</summary>
    public const double DefaultEverySeconds = 60;
}
