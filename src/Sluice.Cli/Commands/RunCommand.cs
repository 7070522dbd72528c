using System.CommandLine;
using System.Diagnostics;
using Sluice.Cli.Rendering;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice run FILE</c>: runs a pipeline file, shows live progress, then its summary.</summary>
internal static class RunCommand
{
    /// <summary>About 5 refreshes a second: smooth enough to watch, cheap enough not to slow the run.</summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The pipeline file (YAML)." };
        var state = CommonOptions.State();
        var command = new Command("run", "Run a pipeline file and print its summary.") { file, state };
        command.SetAction((parsed, ct) => context.GuardAsync(
            () => RunAsync(context, parsed.GetValue(file)!, parsed.GetValue(state), ct), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string file, string? stateOption, CancellationToken ct)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline file: {file}", ExitCodes.Invalid);
        // Parse, not Load: the runner builds (and so checks) the graph itself before it records a run.
        PipelineDefinition pipeline = PipelineFile.Parse(file);

        string statePath = StatePaths.ForPipeline(stateOption, file);
        await using IStateStore store = await SqliteStateStore.OpenAsync(statePath);

        PipelineRun run = await new PipelineRunner(store).StartAsync(pipeline, ct);
        foreach (string abandoned in run.AbandonedRuns)
            context.Console.WriteLine($"run {abandoned} had stopped without ending (its process died): marked failed, its unpublished output removed");
        RunOutcome outcome = context.Interactive ? await WatchAsync(context.Console, run) : await run.Completion;

        PrintSummary(context, outcome, statePath);
        if (outcome.Error is not null)
            context.Stderr.WriteLine("error: " + CliContext.OneLine(outcome.Error));
        return ExitCodes.For(outcome.Run.State);
    }

    /// <summary>Redraws the live table until the run ends. Cancellation is not observed here on purpose:
    /// the runner sees the same token and ends the run as cancelled, which this then shows.</summary>
    private static async Task<RunOutcome> WatchAsync(IAnsiConsole console, PipelineRun run)
    {
        var clock = Stopwatch.StartNew();
        await console.Live(StageTable.Live(run.Stages, TimeSpan.Zero))
            .AutoClear(true)
            .StartAsync(async live =>
            {
                while (!run.Completion.IsCompleted)
                {
                    await Task.WhenAny(run.Completion, Task.Delay(RefreshInterval));
                    live.UpdateTarget(StageTable.Live(run.Stages, clock.Elapsed));
                    live.Refresh();
                }
            });
        return await run.Completion;
    }

    private static void PrintSummary(CliContext context, RunOutcome outcome, string statePath)
    {
        IAnsiConsole console = context.Console;
        RunRecord run = outcome.Run;
        console.Write(StageTable.Summary(outcome.Stages));
        console.WriteLine(Format.Reconciliation(run));
        foreach (string published in outcome.Published)
            console.WriteLine("published " + published);
        // Peak resident memory of this process (VmHWM on Linux): the figure that shows memory stays bounded.
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        console.WriteLine($"peak memory {self.PeakWorkingSet64 / (1024 * 1024)} MB");
        console.WriteLine(LastLine(run));
        if (run.DeadLettered > 0)
        {
            // The hint must work from the current folder, where queries look for the state by default.
            string state = statePath == StatePaths.ForQueries(null) ? "" : $" --state {statePath}";
            console.WriteLine($"dead letters: sluice dlq list --run {run.Id}{state}");
        }
    }

    private static string LastLine(RunRecord run)
    {
        string duration = Format.Duration(run.Duration);
        return run.State switch
        {
            RunState.Succeeded => $"run {run.Id} succeeded in {duration}",
            RunState.QualityGateFailed => $"run {run.Id} failed its quality gate after {duration}",
            RunState.Cancelled => $"run {run.Id} was cancelled after {duration}",
            _ => $"run {run.Id} failed after {duration}",
        };
    }
}
