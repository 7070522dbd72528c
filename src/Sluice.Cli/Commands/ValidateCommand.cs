using System.CommandLine;
using Sluice.Cli.Plugins;
using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice validate FILE</c>: checks a pipeline file without running it (or opening the state).</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The pipeline file (YAML)." };
        var command = new Command("validate", "Check a pipeline file: keys, value types, expressions. Prints every problem as file:line:col.") { file };
        command.SetAction((parsed, ct) => context.GuardAsync(() => Task.FromResult(Validate(context, parsed.GetValue(file)!)), ct));
        return command;
    }

    private static int Validate(CliContext context, string file)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline file: {file}", ExitCodes.Invalid);
        PipelineDefinition pipeline = PipelineFile.Load(file, PluginLoader.ForPipeline(file));
        string stages = string.Join(", ", pipeline.Stages.Select(s => s.Name));
        context.Stdout.WriteLine($"ok: pipeline '{pipeline.Name}' is valid ({pipeline.Stages.Count} stages: {stages})");
        return ExitCodes.Ok;
    }
}
