using Sluice.State;

namespace Sluice.Execution;

/// <summary>How a run ended, with what the CLI needs to print its summary.</summary>
/// <param name="Error">One line saying why the run did not succeed; null when it did.</param>
/// <param name="Published">Files (or other outputs) the sinks published.</param>
public sealed record RunOutcome(
    RunRecord Run,
    IReadOnlyList<StageCounts> Stages,
    string? Error,
    IReadOnlyList<string> Published)
{
    /// <summary>Checkpoints this attempt committed (the final one included).</summary>
    public int Checkpoints { get; init; }

    /// <summary>Time spent committing checkpoints (store transaction and sink commits), summed.</summary>
    public TimeSpan CheckpointTime { get; init; }

    /// <summary>How each of the pipeline's expectations fared, in declaration order; empty when the run ended
    /// without a final checkpoint (failed, cancelled) or has none.</summary>
    public IReadOnlyList<Expectations.ExpectationResult> Expectations { get; init; } = [];

    /// <summary>What the run said besides its counts: files skipped as already consumed, warnings.</summary>
    public IReadOnlyList<RunNote> Notes { get; init; } = [];
}
