using System.CommandLine;
using Sluice.Cli.Plugins;
using Sluice.Configuration;
using Sluice.Flows;
using Sluice.Graphs;
using YamlDotNet.RepresentationModel;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice graph FILE</c>: a pipeline's stages or a flow's tasks as a Mermaid flowchart, from the file alone
/// (nothing is run, no input need exist, no state file is opened).</summary>
internal static class GraphCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A pipeline file or a flow file (YAML)." };
        var command = new Command("graph", "Print a pipeline's stages or a flow's tasks as a Mermaid flowchart (paste it into Markdown, or mermaid.live).") { file };
        command.SetAction((parsed, ct) => context.GuardAsync(() => Task.FromResult(Graph(context, parsed.GetValue(file)!)), ct));
        return command;
    }

    private static int Graph(CliContext context, string file)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline or flow file: {file}", ExitCodes.Invalid);
        // Parameters are not needed to draw the graph: ${params.NAME} stays as written.
        string graph = IsFlow(file)
            ? MermaidGraph.Of(FlowFile.Load(file))
            : MermaidGraph.Of(PipelineFile.ParseWithoutParameters(file, PluginLoader.ForPipeline(file)));
        context.Stdout.Write(graph);
        return ExitCodes.Ok;
    }

    /// <summary>A flow file has <c>tasks:</c> at its root; anything else is read as a pipeline file, which reports
    /// what is wrong with it.</summary>
    private static bool IsFlow(string file)
    {
        string full = Path.GetFullPath(file);
        var root = PipelineFile.ReadYaml(full, new ShapeChecker(PipelineFile.DisplayPath(full), ComponentCatalog.BuiltIn));
        return root?.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "tasks") == true;
    }
}
