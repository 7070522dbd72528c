using System.CommandLine;
using Sluice.Cli.Plugins;
using Sluice.Cli.Rendering;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Replay;
using Sluice.State;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice dlq replay --pipeline FILE</c>: re-runs dead letters through the pipeline as the file now
/// says (after the contract or a transform was fixed); those that pass are written once, the rest stay.</summary>
internal static class DlqReplayCommand
{
    public static Command Create(CliContext context)
    {
        var pipeline = new Option<string>("--pipeline")
        {
            Description = "The pipeline file (YAML) whose dead letters to replay, as it is now (required).",
            HelpName = "FILE",
            Required = true,
        };
        var reason = DlqCommand.ReasonOption();
        var stage = DlqCommand.StageOption();
        var run = DlqCommand.RunOption();
        var since = SinceOption.Create();
        var state = CommonOptions.State();
        var parameters = ParamOption.Create("the pipeline file's ${params.NAME} references (as its runs were given them)");
        var lineage = LineageOption.Create();
        var command = new Command("replay",
            "Run dead letters through the pipeline again, each from the stage that rejected it, with the pipeline file as it is now. " +
            "Records that now pass are written exactly once; the others stay dead letters, one attempt more.")
        {
            pipeline, reason, stage, run, since, state, parameters, lineage,
        };
        command.SetAction((parsed, ct) => context.GuardAsync(() =>
        {
            var selection = new DeadLetterQuery(RunId: parsed.GetValue(run), Reason: DlqCommand.Reason(parsed, reason), Stage: parsed.GetValue(stage))
            {
                Since = SinceOption.Value(parsed, since),
            };
            var options = new RunnerOptions { Lineage = LineageOption.Value(parsed, lineage) };
            return ReplayAsync(context, parsed.GetValue(pipeline)!, parsed.GetValue(parameters)!, selection, parsed.GetValue(state), options, ct);
        }, ct));
        return command;
    }

    private static async Task<int> ReplayAsync(CliContext context, string file, IReadOnlyDictionary<string, string> parameters, DeadLetterQuery selection,
        string? stateOption, RunnerOptions options, CancellationToken ct)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline file: {file} (--pipeline takes the pipeline's YAML file)", ExitCodes.Invalid);
        PipelineDefinition pipeline = PipelineFile.Parse(file, PluginLoader.ForPipeline(file), parameters);
        // The state the pipeline's runs use: replay writes to the same output and must hold the same lease.
        string statePath = context.StatePath = StatePaths.ForPipeline(stateOption, file);
        // No state means no dead letters: say so instead of creating an empty state file.
        await using IStateStore? store = await QueryStore.OpenExistingForWritingAsync(statePath);
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        if (selection.RunId is { } prefix)
        {
            RunRecord? found = await store.FindRunAsync(prefix, ct);
            if (found is null)
                return context.Error(QueryStore.RunNotFound(prefix), ExitCodes.NotFound);
            selection = selection with { RunId = found.Id };
        }

        // As for sluice run: Ctrl-C or SIGTERM stops reading letters and drains into a final checkpoint.
        using var stop = new GracefulStop();
        stop.Watch(context, ct, "no more letters");
        ReplayOutcome outcome = await new PipelineRunner(store, options).ReplayAsync(pipeline, selection, cancellationToken: stop.Abort, stopReading: ct);
        if (outcome.Selected == 0)
        {
            context.Console.WriteLine($"no dead letters of pipeline '{pipeline.Name}' match; nothing replayed");
            return ExitCodes.Ok;
        }
        context.Console.WriteLine($"replaying {Format.Count(outcome.Selected)} dead letters of pipeline '{pipeline.Name}' " +
            $"in {outcome.Groups.Count} run{(outcome.Groups.Count == 1 ? "" : "s")}");
        for (int i = 0; i < outcome.Groups.Count; i++)
        {
            ReplayGroup group = outcome.Groups[i];
            string rejectedBy = string.Join(", ", group.ByStage.Select(s => $"{s.Key} {Format.Count(s.Value)}"));
            if (i >= outcome.Runs.Count)
            {
                context.Console.WriteLine($"not replayed ({rejectedBy}): " +
                    (outcome.Runs.Count == 0 || outcome.Runs[^1].Run.State == RunState.Succeeded ? "the replay was stopped before it" : "an earlier replay run did not succeed"));
                continue;
            }
            PrintRun(context, outcome.Runs[i], group, rejectedBy, statePath);
        }
        if (outcome.Runs.FirstOrDefault(r => r.Error is not null) is { } failed)
            context.Stderr.WriteLine("error: " + CliContext.OneLine(failed.Error!));
        if (outcome.Succeeded)
            return ExitCodes.Ok;
        // Fewer runs than groups after a run that succeeded: stopped between two runs.
        return outcome.Runs.Count == 0 || outcome.Runs[^1].Run.State == RunState.Succeeded
            ? ExitCodes.Cancelled
            : ExitCodes.For(outcome.Runs[^1].Run.State);
    }

    private static void PrintRun(CliContext context, RunOutcome outcome, ReplayGroup group, string rejectedBy, string statePath)
    {
        IAnsiConsole console = context.Console;
        RunRecord run = outcome.Run;
        console.WriteLine($"replay run {run.Id}: {Format.Count(group.Ids.Count)} letters from source '{group.Source}' (rejected by {rejectedBy})");
        console.Write(StageTable.Summary(outcome.Stages));
        foreach (string line in Format.Balances(run, outcome.Balances))
            console.WriteLine(line);
        foreach (string line in StageTable.FailureLines(outcome.Stages))
            console.WriteLine(line);
        if (run.State != RunState.Succeeded)
        {
            console.WriteLine($"replay run {run.Id} {Format.State(run.State)}: the letters its checkpoints did not cover are still in the queue; replay again");
            return;
        }
        console.WriteLine($"replay run {run.Id} succeeded: {Format.Count(run.RecordsWritten)} written, " +
            $"{Format.Count(run.DeadLettered)} dead-lettered again (one attempt more), {Format.Count(run.Filtered)} filtered");
        if (run.DeadLettered > 0)
        {
            string state = statePath == StatePaths.ForQueries(null) ? "" : $" --state {statePath}";
            console.WriteLine($"still dead: sluice dlq list --run {run.Id}{state}");
        }
    }
}
