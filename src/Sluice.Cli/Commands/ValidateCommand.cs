using System.CommandLine;
using Sluice.Cli.Plugins;
using Sluice.Cli.Documents;
using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice validate FILE</c>: checks a pipeline file without running it (or opening the state).</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The pipeline file (YAML)." };
        var json = CommonOptions.Json("the verdict and every problem (file, line, column, message)");
        var parameters = ParamOption.Create("the pipeline file's ${params.NAME} references");
        var command = new Command("validate", "Check a pipeline file: keys, value types, expressions. Prints every problem as file:line:col.") { file, parameters, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => Task.FromResult(Validate(context, parsed.GetValue(file)!, parsed.GetValue(parameters)!)), ct);
        });
        return command;
    }

    private static int Validate(CliContext context, string file, IReadOnlyDictionary<string, string> parameters)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline file: {file}", ExitCodes.Invalid);
        PipelineDefinition pipeline;
        try
        {
            pipeline = PipelineFile.Load(file, PluginLoader.ForPipeline(file), parameters);
        }
        catch (PipelineException e) when (context.Json)
        {
            // The problems are the answer here, not an error: stdout gets the verdict, stderr the usual lines.
            foreach (Diagnostic diagnostic in e.Diagnostics)
                context.Stderr.WriteLine(diagnostic);
            JsonDocuments.Write(context.Stdout, new ValidateDocument(false, null, [], ProblemPart.Of(e.Diagnostics)));
            return ExitCodes.Invalid;
        }
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new ValidateDocument(true, pipeline.Name, [.. pipeline.Stages.Select(s => s.Name)], []));
            return ExitCodes.Ok;
        }
        string stages = string.Join(", ", pipeline.Stages.Select(s => s.Name));
        context.Stdout.WriteLine($"ok: pipeline '{pipeline.Name}' is valid ({pipeline.Stages.Count} stages: {stages})");
        return ExitCodes.Ok;
    }
}
