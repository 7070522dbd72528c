using Sluice.Alerts;
using Sluice.Pipelines;
namespace Sluice;

/// <summary>
/// A pipeline: a directed acyclic graph of stages. Built by the YAML loader or in code; checked by
/// <see cref="PipelineGraph"/> before anything runs.
/// </summary>
public sealed record PipelineDefinition(string Name, IReadOnlyList<StageDefinition> Stages)
{
    public DeadLetterPolicy DeadLetter { get; init; } = new();

    public CheckpointPolicy Checkpoint { get; init; } = new();

    /// <summary>How every transform and retry-safe sink stage handles transient failures.</summary>
    public ResiliencePolicy Resilience { get; init; } = new();

    /// <summary>Checks of the run's output (<c>expect:</c>), evaluated before its final checkpoint commits.</summary>
    public IReadOnlyList<Expectation> Expectations { get; init; } = [];

    /// <summary>Its freshness and SLA promises and where a miss is sent (<c>freshness:</c>, <c>sla:</c>, <c>alerts:</c>),
    /// judged by an <see cref="AlertMonitor"/>. None by default.</summary>
    public AlertPolicy Alerts { get; init; } = AlertPolicy.None;

    /// <summary>Folder that relative paths resolve against; the pipeline file's folder when loaded from YAML.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The pipeline file, when it came from one.</summary>
    public string? SourceFile { get; init; }
}
