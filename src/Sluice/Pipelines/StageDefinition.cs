using Sluice.Pipelines;
namespace Sluice;

/// <summary>One node of the pipeline graph: its unique name, what it does, and the stages it reads from.</summary>
/// <param name="Inputs">Names of upstream stages; empty for a source, one or more (a union) otherwise.</param>
public sealed record StageDefinition(string Name, IStageOptions Options, IReadOnlyList<string> Inputs)
{
    /// <summary>Where the stage is declared, for error messages; null for pipelines built in code.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>How this stage rides out transient failures, replacing the pipeline's <c>resilience</c> for it;
    /// null to use the pipeline's.</summary>
    public ResiliencePolicy? Resilience { get; init; }

    /// <summary>The component as the pipeline file names it: a source's or sink's <c>type</c> (<c>csv</c>,
    /// <c>parquet</c>), a transform's key (<c>filter</c>, <c>derive</c>), or <c>contract</c>; null for a stage built
    /// in code. For showing the graph (<c>sluice graph</c>).</summary>
    public string? Component { get; init; }

    public StageKind Kind => Options.Kind;
}
