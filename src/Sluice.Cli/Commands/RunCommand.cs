using System.CommandLine;
using System.Diagnostics;
using Sluice.Cli.Plugins;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.Cli.Telemetry;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Expectations;
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
        var fresh = new Option<bool>("--fresh")
        {
            Description = "Start a new run even if the pipeline's last run did not finish (by default it is resumed from its last checkpoint). The old run's published output stays.",
        };
        var follow = new Option<bool>("--follow")
        {
            Description = "Do not end after the input: keep polling the sources for new data (every second) until Ctrl-C. Checkpoints then come from checkpoint.every_seconds; the next run resumes where Ctrl-C stopped. A failure resilience.retry.on names (a server away) resumes the run in this process after a wait instead of ending it.",
        };
        var json = CommonOptions.Json("the run's summary when it ends (no live table; progress lines go to stderr)");
        var progress = ProgressIntervalOption.Create();
        var parameters = ParamOption.Create("the pipeline file's ${params.NAME} references");
        var memoryLimit = MemoryLimitOption.Create();
        var metrics = new MetricsOptions();
        var lineage = LineageOption.Create();
        // Set by a flow that runs a pipeline task in a process of its own (memory_limit): the run's parent, and the
        // instance its runs are filed under (name[instance]), as when the flow runs the task in its own process.
        var parentRun = new Option<string?>("--parent-run") { Hidden = true };
        var instance = new Option<string?>("--instance") { Hidden = true };
        var command = new Command("run", "Run a pipeline file (or resume its unfinished run) and print its summary.")
        {
            file, parameters, state, fresh, follow, json, progress, memoryLimit, lineage, parentRun, instance,
        };
        metrics.AddTo(command);
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => RunAsync(context, parsed.GetValue(file)!, parsed.GetValue(parameters)!, parsed.GetValue(instance),
                parsed.GetValue(state), parsed.GetValue(fresh), new RunnerOptions
                {
                    FollowPoll = parsed.GetValue(follow) ? FollowPoll : null,
                    MemoryLimit = parsed.GetValue(memoryLimit),
                    ParentRunId = parsed.GetValue(parentRun),
                    Lineage = LineageOption.Value(parsed, lineage),
                }, parsed.GetValue(progress), metrics.Read(parsed), ct), ct);
        });
        return command;
    }

    /// <summary>How often <c>--follow</c> looks for new files: new data shows up within a second, at the cost of one
    /// folder listing per source per second.</summary>
    private static readonly TimeSpan FollowPoll = TimeSpan.FromSeconds(1);

    private static async Task<int> RunAsync(CliContext context, string file, IReadOnlyDictionary<string, string> parameters, string? instance,
        string? stateOption, bool fresh, RunnerOptions options, TimeSpan progressInterval, MetricsListen? metrics, CancellationToken ct)
    {
        if (!File.Exists(file))
            return context.Error($"no such pipeline file: {file}", ExitCodes.Invalid);
        // Parse, not Load: the runner builds (and so checks) the graph itself before it records a run.
        PipelineDefinition pipeline = PipelineFile.Parse(file, PluginLoader.ForPipeline(file), parameters);
        if (instance is not null)
            pipeline = pipeline with { Name = $"{pipeline.Name}[{instance}]" };
        await using var telemetry = await CommandTelemetry.StartAsync(metrics, context.Stderr, ct);

        string statePath = context.StatePath = StatePaths.ForPipeline(stateOption, file);
        await using IStateStore store = await SqliteStateStore.OpenAsync(statePath);

        bool follow = options.FollowPoll is not null;
        var runner = new PipelineRunner(store, options);
        // The command's token (Ctrl-C, SIGTERM) asks for a graceful stop.
        using var stop = new GracefulStop();
        var restarts = follow ? new FollowRestarts(pipeline.Resilience.Retry) : null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            PipelineRun run;
            try
            {
                run = await runner.StartAsync(pipeline, fresh, stop.Abort);
            }
            // The file was checked when the first run started: a restart that cannot build it meets the same server
            // still away (or its password changed meanwhile), which the next try may find back.
            catch (PipelineException e) when (restarts is { Count: > 0 })
            {
                if (!await restarts.WaitAsync(context.Stderr, "cannot start: " + CliContext.OneLine(e.Message), madeProgress: false, ct))
                    return ExitCodes.For(RunState.Failed);
                continue;
            }
            fresh = false; // a restart resumes the run this one started
            var (exitCode, outcome) = await WatchRunAsync(context, run, store, statePath, stop, progressInterval, ct);
            if (restarts is null || ct.IsCancellationRequested || !restarts.Covers(outcome)
                || !await restarts.WaitAsync(context.Stderr, $"run {outcome.Run.Id} failed", outcome.Checkpoints > 0, ct))
                return exitCode;
        }
    }

    /// <summary>Shows one started run until it ends, then its summary; its exit code and outcome.</summary>
    private static async Task<(int, RunOutcome)> WatchRunAsync(CliContext context, PipelineRun run, IStateStore store, string statePath,
        GracefulStop stop, TimeSpan progressInterval, CancellationToken ct)
    {
        stop.Watch(context, ct, "no new input", run.RequestStop);
        // With --json, stdout is the one document at the end: these lines (also in it) go to stderr.
        Action<string> say = context.Json ? context.Stderr.WriteLine : context.Console.WriteLine;
        foreach (string abandoned in run.AbandonedRuns)
            say($"run {abandoned} had stopped without ending (its process died): marked failed, its unpublished output removed");
        if (run.ResumedFrom is { } resumed)
            say($"resuming run {run.Id} from checkpoint {resumed.Checkpoint}, {resumed.RecordsCommitted:N0} records already committed");
        if (run.Superseded is { Lost: { } lost } gone)
            context.Stderr.WriteLine($"warning: --fresh: the last checkpoint ({gone.Checkpoint}) of run {gone.RunId} could not be published again: {lost}");
        if (run.Superseded is { } old)
            say($"--fresh: run {old.RunId} is closed without resuming; the {old.RecordsCommitted:N0} records its checkpoints " +
                $"(1-{old.Checkpoint}) published stay; this new run skips the files it fully read but reads again what it had not finished of the others " +
                "(from a file's start, or for a grown file from where an earlier run consumed it; remove that run's output first if those records must " +
                "not appear twice); its dead letters from that input are dropped: this run judges those records again");
        RunOutcome outcome;
        if (context.Interactive && !context.Json)
            outcome = await WatchAsync(context.Console, run);
        else if (progressInterval > TimeSpan.Zero)
            outcome = await ReportProgressAsync(context.Json ? context.Stderr : context.Stdout, run, progressInterval);
        else
            outcome = await run.Completion;

        int exitCode = ExitCodes.For(outcome.Run.State);
        if (context.Json)
            JsonDocuments.Write(context.Stdout, await SummaryAsync(run, outcome, store, statePath, exitCode));
        else
            await PrintSummaryAsync(context, outcome, store, statePath);
        if (outcome.Error is not null)
            context.Stderr.WriteLine("error: " + CliContext.OneLine(outcome.Error));
        return (exitCode, outcome);
    }

    /// <summary>Prints a <see cref="ProgressLine"/> every <paramref name="interval"/> until the run ends, so that a
    /// run whose output is a log (systemd, docker, CI) shows life. Like <see cref="WatchAsync"/>, it leaves
    /// cancellation to the runner.</summary>
    private static async Task<RunOutcome> ReportProgressAsync(TextWriter output, PipelineRun run, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        var previous = ProgressLine.Snapshot.Take(run.Stages, clock.Elapsed);
        while (await Task.WhenAny(run.Completion, Task.Delay(interval)) != run.Completion)
        {
            var now = ProgressLine.Snapshot.Take(run.Stages, clock.Elapsed);
            output.WriteLine(ProgressLine.Format(previous, now));
            output.Flush();
            previous = now;
        }
        return await run.Completion;
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

    private static async Task PrintSummaryAsync(CliContext context, RunOutcome outcome, IStateStore store, string statePath)
    {
        IAnsiConsole console = context.Console;
        RunRecord run = outcome.Run;
        console.Write(StageTable.Summary(outcome.Stages));
        foreach (string line in Format.Balances(run, outcome.Balances))
            console.WriteLine(line);
        const int Listed = 5;
        foreach (string published in outcome.Published.Take(Listed))
            console.WriteLine("published " + published);
        if (outcome.Published.Count > Listed)
            console.WriteLine($"published {outcome.Published.Count - Listed} more files (sluice show {run.Id} lists the checkpoints)");
        foreach (string line in StageTable.FailureLines(outcome.Stages))
            console.WriteLine(line);
        foreach (ExpectationResult e in outcome.Expectations.Where(e => !e.Passed))
            console.WriteLine($"expectation {e.Expectation}: {(e.Severity == ExpectationSeverity.Warn ? "warning" : "FAILED")}, measured {e.Measured}");
        foreach (RunNote note in outcome.Notes)
            console.WriteLine(note.ToString());
        if (outcome.Checkpoints > 0)
            console.WriteLine($"checkpoints {outcome.Checkpoints} ({Format.Duration(outcome.CheckpointTime)} spent checkpointing)");
        console.WriteLine($"peak memory {PeakMemory() / (1024 * 1024)} MB");
        console.WriteLine(LastLine(run));
        if (run.DeadLettered > 0)
        {
            long queued = await store.CountDeadLettersAsync(new DeadLetterQuery(RunId: run.Id), CancellationToken.None);
            console.WriteLine(Format.DeadLetters(run.DeadLettered, queued, ListCommand(run, statePath)));
        }
    }

    /// <summary>The summary as one document, with what the human summary shows.</summary>
    private static async Task<RunSummaryDocument> SummaryAsync(PipelineRun started, RunOutcome outcome, IStateStore store, string statePath, int exitCode)
    {
        RunRecord run = outcome.Run;
        long queued = run.DeadLettered > 0 ? await store.CountDeadLettersAsync(new DeadLetterQuery(RunId: run.Id), CancellationToken.None) : 0;
        var deadLetters = new DeadLettersPart(run.DeadLettered, queued, run.DeadLettered > 0 ? ListCommand(run, statePath) : null);
        return RunSummaryDocument.Of(started, outcome, deadLetters, PeakMemory(), exitCode);
    }

    /// <summary>Peak resident memory of this process (VmHWM on Linux): the figure that shows memory stays bounded.</summary>
    private static long PeakMemory()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>The command that lists the run's dead letters; it must work from the current folder, where queries
    /// look for the state by default.</summary>
    private static string ListCommand(RunRecord run, string statePath)
    {
        string state = statePath == StatePaths.ForQueries(null) ? "" : $" --state {statePath}";
        return $"sluice dlq list --run {run.Id}{state}";
    }

    private static string LastLine(RunRecord run)
    {
        string duration = Format.Duration(run.Duration);
        return run.State switch
        {
            RunState.Succeeded => $"run {run.Id} succeeded in {duration}",
            RunState.QualityGateFailed => $"run {run.Id} failed its quality gate after {duration}",
            RunState.Stopped => $"run {run.Id} stopped after {duration}: what it read is written and checkpointed; `sluice run` resumes it",
            RunState.Cancelled => $"run {run.Id} was cancelled after {duration}",
            _ => $"run {run.Id} failed after {duration}",
        };
    }
}
