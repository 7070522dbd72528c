using Sluice.Connectors.Csv;
using Sluice.Connectors.Jsonl;
using Sluice.Connectors.Parquet;
using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.Transforms.Dedupe;
using Sluice.Transforms.Derive;
using Sluice.Transforms.Filter;

namespace Sluice.Configuration;

/// <summary>The one place where components are registered: adding a connector or transform means adding its spec here.</summary>
public static class ComponentRegistry
{
    public static IReadOnlyList<ComponentSpec> Sources { get; } = [CsvSourceOptions.Spec, JsonlSourceOptions.Spec, ParquetSourceOptions.Spec, HttpSourceOptions.Spec];

    public static IReadOnlyList<ComponentSpec> Sinks { get; } = [ParquetSinkOptions.Spec, JsonlSinkOptions.Spec, CsvSinkOptions.Spec, HttpSinkOptions.Spec];

    public static IReadOnlyList<ComponentSpec> Transforms { get; } =
        [FilterOptions.Spec, DeriveOptions.Spec, SelectOptions.Spec, RenameOptions.Spec, DedupeOptions.Spec];

    public static ComponentSpec Contract => ContractOptions.Spec;

    public static IReadOnlyList<ComponentSpec> Of(StageKind kind) => kind switch
    {
        StageKind.Source => Sources,
        StageKind.Sink => Sinks,
        StageKind.Transform => Transforms,
        _ => [Contract],
    };
}
