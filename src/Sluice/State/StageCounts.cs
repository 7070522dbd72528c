using Sluice.Pipelines;
using Sluice.State;

namespace Sluice;

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

    /// <summary>The stages this one reads from, in the order the pipeline names them; empty for a source (and for
    /// runs stored before the state file kept the graph). <see cref="SinkBalance.Of"/> reconciles each sink with them.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Value equality, <see cref="Inputs"/> by their names (a record would compare the list by reference).</summary>
    public bool Equals(StageCounts? other) =>
        other is not null
        && (Stage, Kind, In, Out, Filtered, DeadLettered, Busy, Retries, Timeouts, CircuitOpenings, CircuitClosings)
        == (other.Stage, other.Kind, other.In, other.Out, other.Filtered, other.DeadLettered, other.Busy, other.Retries, other.Timeouts,
            other.CircuitOpenings, other.CircuitClosings)
        && Inputs.SequenceEqual(other.Inputs);

    public override int GetHashCode() => HashCode.Combine(Stage, Kind, In, Out, Filtered, DeadLettered, Busy);

    /// <summary>Whether any retry, timeout or circuit opening happened.</summary>
    public bool HadFailures => Retries + Timeouts + CircuitOpenings > 0;
}
