using System.CommandLine;
using Sluice.Configuration;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice schema</c> (the pipeline file's JSON Schema, for editors) and the hidden
/// <c>sluice docs pipeline-file</c> that regenerates docs/pipeline-file.md from the same declarations.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("schema", "Print the JSON Schema of pipeline files (for editor completion and checks).");
        command.SetAction((_, ct) => context.GuardAsync(() => Print(context, PipelineSchema.JsonSchema()), ct));
        return command;
    }

    public static Command CreateDocs(CliContext context)
    {
        var pipelineFile = new Command("pipeline-file", "Print the pipeline file reference (Markdown).");
        pipelineFile.SetAction((_, ct) => context.GuardAsync(() => Print(context, PipelineSchema.Markdown()), ct));
        return new Command("docs", "Print generated documentation.") { Hidden = true, Subcommands = { pipelineFile } };
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
