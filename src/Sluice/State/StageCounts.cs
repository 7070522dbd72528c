using Sluice.Pipelines;

namespace Sluice.State;

/// <summary>A stage's counts and busy time as saved for a run.</summary>
public sealed record StageCounts(string Stage, StageKind Kind, long In, long Out, long Filtered, long DeadLettered, TimeSpan Busy)
{
    /// <summary>Tries of a batch repeated after a transient failure.</summary>
    public long Retries { get; init; }

    /// <summary>Tries cut off by the stage's timeout.</summary>
    public long Timeouts { get; init; }

    /// <summary>Times the stage's circuit breaker opened.</summary>
    public long CircuitOpenings { get; init; }

    /// <summary>Times it closed again (the stage recovered).</summary>
    public long CircuitClosings { get; init; }

    /// <summary>Whether any retry, timeout or circuit opening happened.</summary>
    public bool HadFailures => Retries + Timeouts + CircuitOpenings > 0;
}
