using System.CommandLine;
using Sluice.Cli.Rendering;
using Sluice.Cli.Scaffolding;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice init DATAFILE</c>: scaffolds a pipeline file from a data file's columns and inferred types.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Argument<string>("DATAFILE") { Description = "A CSV (.csv, .tsv), JSON Lines (.jsonl, .ndjson) or Parquet (.parquet) file." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The pipeline file to write; the data file's path in it is made relative to it.",
            HelpName = "OUTPUT",
            DefaultValueFactory = _ => "pipeline.yaml",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite the pipeline file if it exists." };
        var command = new Command("init", $"Write a starter pipeline for a data file: its columns with types inferred from the first {Format.Count(DataSample.SampleRecords)} records, a Parquet sink and a dead-letter gate.")
        {
            data, output, force,
        };
        command.SetAction((parsed, ct) => context.GuardAsync(
            () => InitAsync(context, parsed.GetValue(data)!, parsed.GetValue(output)!, parsed.GetValue(force)), ct));
        return command;
    }

    private static async Task<int> InitAsync(CliContext context, string dataFile, string output, bool force)
    {
        if (!File.Exists(dataFile))
            return context.Error(Directory.Exists(dataFile) ? $"{dataFile} is a folder: give one data file" : $"no such data file: {dataFile}", ExitCodes.Invalid);
        if (Directory.Exists(output))
            return context.Error($"{output} is a folder: give the pipeline file's path, e.g. {Path.Combine(output, "pipeline.yaml")}", ExitCodes.Invalid);
        if (File.Exists(output) && !force)
            return context.Error($"{output} exists: pass --force to overwrite it, or --output to write another file", ExitCodes.Invalid);

        DataSample sample;
        try
        {
            sample = await DataSample.ReadAsync(dataFile);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return context.Error(CliContext.OneLine(e.Message), ExitCodes.Invalid);
        }
        if (sample.Columns.Count == 0)
            return context.Error($"{dataFile} has no columns", ExitCodes.Invalid);

        string outputFolder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        // Relative to the pipeline file, as the source reads it, with / so that the file works on every system.
        string dataPath = Path.GetRelativePath(outputFolder, Path.GetFullPath(dataFile)).Replace('\\', '/');
        Directory.CreateDirectory(outputFolder);
        await File.WriteAllTextAsync(output, PipelineScaffold.Render(sample, dataPath, PipelineScaffold.Name(dataFile), Path.GetFileName(output)));

        context.Stdout.WriteLine($"wrote {output}: {sample.Source} source, {sample.Columns.Count} columns typed from {Format.Count(sample.Records)} records, parquet sink");
        context.Stdout.WriteLine($"next: check the contract, then sluice validate {output} and sluice run {output}");
        return ExitCodes.Ok;
    }
}
