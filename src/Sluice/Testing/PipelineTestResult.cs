using Sluice.DeadLetters;
using Sluice.Execution;

namespace Sluice.Testing;

/// <summary>What a <see cref="PipelineTest"/> run did. The outputs are in the sinks (see <see cref="Memory.Collect{T}"/>).</summary>
/// <param name="Outcome">The run's outcome as the runner returned it (stage counts, balances, error).</param>
/// <param name="DeadLetters">The run's dead letters, in the order they were stored.</param>
public sealed record PipelineTestResult(RunOutcome Outcome, IReadOnlyList<StoredDeadLetter> DeadLetters)
{
    /// <summary>Whether the run succeeded; <see cref="Error"/> says why not.</summary>
    public bool Succeeded => Outcome.Error is null;

    public string? Error => Outcome.Error;

    public long RecordsRead => Outcome.Run.RecordsRead;

    public long RecordsWritten => Outcome.Run.RecordsWritten;

    public long Filtered => Outcome.Run.Filtered;

    public long DeadLettered => Outcome.Run.DeadLettered;
}
