using System.CommandLine;
using Sluice.Cli.Plugins;
using Sluice.Configuration;
using Sluice.Flows;
using Sluice.Pipelines;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice schema</c> (the pipeline file's JSON Schema, for editors) and the hidden
/// <c>sluice docs pipeline-file</c> that regenerates docs/pipeline-file.md from the same declarations; with
/// <c>--plugin</c>, both describe the plugins' components too.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliContext context)
    {
        var plugins = PluginOption();
        var command = new Command("schema", "Print the JSON Schema of pipeline files (for editor completion and checks).") { plugins };
        command.SetAction((parsed, ct) => context.GuardAsync(
            () => Print(context, parsed.GetValue(plugins) ?? [], PipelineSchema.JsonSchema), ct));
        return command;
    }

    public static Command CreateDocs(CliContext context)
    {
        var plugins = PluginOption();
        var pipelineFile = new Command("pipeline-file", "Print the pipeline file reference (Markdown).") { plugins };
        pipelineFile.SetAction((parsed, ct) => context.GuardAsync(
            () => Print(context, parsed.GetValue(plugins) ?? [], PipelineSchema.Markdown), ct));
        var flowFile = new Command("flow-file", "Print the flow file reference (Markdown).");
        flowFile.SetAction((_, ct) => context.GuardAsync(() => Print(context, FlowFile.Markdown()), ct));
        return new Command("docs", "Print generated documentation.") { Hidden = true, Subcommands = { pipelineFile, flowFile } };
    }

    private static Option<string[]> PluginOption() => new("--plugin")
    {
        Description = "An assembly of your own components (see docs/extending.md) to describe as well; repeat for several. It is loaded and run: name only assemblies you trust.",
        HelpName = "PATH",
    };

    /// <summary>Prints what <paramref name="describe"/> makes of the built-in components and the plugins'; a plugin
    /// that cannot be used is one <c>error:</c> line (there is no pipeline file to point into).</summary>
    private static Task<int> Print(CliContext context, string[] plugins, Func<ComponentCatalog, string> describe)
    {
        if (plugins.FirstOrDefault(p => !File.Exists(p)) is { } missing)
            return Task.FromResult(context.Error($"no such plugin file: {missing} (--plugin takes an assembly, a .dll)", ExitCodes.Invalid));
        ComponentCatalog catalog;
        try
        {
            catalog = PluginLoader.ForPaths(plugins);
        }
        catch (PipelineException e)
        {
            return Task.FromResult(context.Error(string.Join("; ", e.Diagnostics.Select(d => d.Message)), ExitCodes.Invalid));
        }
        return Print(context, describe(catalog));
    }

    private static Task<int> Print(CliContext context, string text)
    {
        // Raw stdout, not the Spectre console: the text must come out byte for byte, never wrapped or marked up.
        context.Stdout.Write(text);
        if (!text.EndsWith('\n'))
            context.Stdout.WriteLine();
        return Task.FromResult(ExitCodes.Ok);
    }
}
