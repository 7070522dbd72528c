using Sluice.Cli.Plugins;
using Sluice.Flows;
using Sluice.Lineage;

namespace Sluice.Cli.Commands;

/// <summary>How every command that runs flows (<c>flow run</c>, <c>flow backfill</c>, <c>serve</c>) runs them: pipeline
/// tasks get their files' plugins, and a <c>memory_limit</c> task starts this same sluice as its own process.</summary>
internal static class CliFlowOptions
{
    /// <param name="lineage">Where the pipeline tasks' runs send OpenLineage events (<c>--lineage</c>).</param>
    public static FlowRunnerOptions Create(LineageOptions? lineage) => new()
    {
        Catalogs = PluginLoader.ForPipeline,
        SluiceCommand = SelfCommand.Get(),
        Pipelines = new RunnerOptions { Lineage = lineage },
    };
}
