using Sluice.Execution;
using Sluice.State;

namespace Sluice;

/// <summary>How a run ended, with what the CLI needs to print its summary.</summary>
/// <param name="Error">One line saying why the run did not succeed; null when it did.</param>
/// <param name="Published">Files (or other outputs) the sinks published.</param>
public sealed record RunOutcome(
    RunRecord Run,
    IReadOnlyList<StageCounts> Stages,
    string? Error,
    IReadOnlyList<string> Published)
{
    /// <summary>Each sink's <c>in = out + dead + filtered</c>, counted along the paths that lead to it (see
    /// <see cref="SinkBalance"/>), and how many of its records out a checkpoint published. Holds for every sink of a
    /// succeeded run; a failed or cancelled run stopped with records in flight, and only
    /// <see cref="SinkBalance.Published"/> of them are in the output.</summary>
    public IReadOnlyList<SinkBalance> Balances { get; init; } = [];

    /// <summary>Checkpoints this attempt committed (the final one included).</summary>
    public int Checkpoints { get; init; }

    /// <summary>Time spent committing checkpoints (store transaction and sink commits), summed.</summary>
    public TimeSpan CheckpointTime { get; init; }

    /// <summary>How each of the pipeline's expectations fared, in declaration order; empty when the run ended
    /// without a final checkpoint (failed, cancelled) or has none.</summary>
    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    /// <summary>What the run said besides its counts: files skipped as already consumed, warnings.</summary>
    public IReadOnlyList<RunNote> Notes { get; init; } = [];

    /// <summary>The exception that failed the run (<see cref="RunState.Failed"/>), null otherwise: for a caller that
    /// decides whether resuming may help, e.g. with <see cref="RetryOn.Matches"/> (a server that was away).</summary>
    public Exception? Failure { get; init; }
}
