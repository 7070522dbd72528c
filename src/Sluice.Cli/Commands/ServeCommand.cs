using System.CommandLine;
using System.Globalization;
using Sluice.Alerts;
using Sluice.Cli.Telemetry;
using Sluice.Flows;
using Sluice.Lineage;
using Sluice.Pipelines;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice serve FLOW_FILE...</c>: starts scheduled flows' runs as their slots come, one line per event,
/// until Ctrl-C or SIGTERM (see <see cref="FlowServer"/> for which slots run and what stopping does); meanwhile judges
/// the flows' and their pipelines' freshness and SLA (<see cref="AlertMonitor"/>), one line per miss and request.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("FLOW_FILE") { Description = "Flow files, each with a `schedule:`.", Arity = ArgumentArity.OneOrMore };
        // Cli.Complete refuses empty values of single-value arguments only: this one takes several.
        files.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                result.AddError("FLOW_FILE takes a flow file, not an empty value");
        });
        var state = CommonOptions.State();
        var metrics = new MetricsOptions();
        var lineage = LineageOption.Create();
        var command = new Command("serve", "Run scheduled flows as their slots come, until Ctrl-C or SIGTERM (each slot once, even across restarts).") { files, state, lineage };
        metrics.AddTo(command);
        command.SetAction((parsed, ct) => context.GuardAsync(() => ServeAsync(context, parsed.GetValue(files)!, parsed.GetValue(state), metrics.Read(parsed),
            LineageOption.Value(parsed, lineage), ct), ct));
        return command;
    }

    private static async Task<int> ServeAsync(CliContext context, string[] files, string? stateOption, MetricsListen? metrics, LineageOptions? lineage,
        CancellationToken ct)
    {
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
            return context.Error($"no such flow file: {string.Join(", ", missing)}", ExitCodes.Invalid);
        // Every file's problems at once, not the first file's only, and before the state file is made or opened.
        var flows = new List<FlowDefinition>();
        var problems = new List<Diagnostic>();
        foreach (string file in files)
        {
            try
            {
                flows.Add(FlowFile.Load(file));
            }
            catch (PipelineException e)
            {
                problems.AddRange(e.Diagnostics);
            }
        }
        problems.AddRange(FlowServer.Problems(flows));
        var targets = AlertTargets.ForFlows(flows, problems);
        if (problems.Count > 0)
            throw new PipelineException(problems);
        await using var telemetry = await CommandTelemetry.StartAsync(metrics, context.Stderr, ct);

        // Beside the first file: flows served together share one state file, as they share the slots' history.
        string statePath = context.StatePath = StatePaths.ForPipeline(stateOption, files[0]);
        await using var store = await SqliteStateStore.OpenAsync(statePath);
        var zones = flows.ToDictionary(f => f.Name, f => f.Schedule?.TimeZone ?? TimeZoneInfo.Utc);
        var server = new FlowServer(store, CliFlowOptions.Create(lineage), e =>
        {
            context.Stdout.WriteLine(Line(e, zones.GetValueOrDefault(e.Flow, TimeZoneInfo.Utc)));
            context.Stdout.Flush();
        });
        context.Stdout.WriteLine($"serving {string.Join(", ", flows.Select(f => $"{f.Name} {f.Schedule}"))} on {statePath}");
        using var onStop = ct.Register(() => context.Stderr.WriteLine(
            "stopping: no more runs start; running flow runs are cancelled, and the next `sluice serve` resumes them"));
        var monitor = new AlertMonitor(store, targets, AlertsCommand.Options(context));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var judging = targets.Count > 0 ? monitor.RunAsync(stop.Token) : Task.CompletedTask;
        // A monitor that fails (its state file broke) stops the server rather than leave it serving without alerts.
        _ = judging.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        await Task.WhenAll(server.ServeAsync(flows, stop.Token), judging);
        return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
    }

    /// <summary>One line per event: the flow, the slot in the schedule's zone (as its cron reads), and what happened.</summary>
    internal static string Line(ScheduledRun e, TimeZoneInfo zone)
    {
        string slot = TimeZoneInfo.ConvertTime(e.Slot, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
        string partition = e.Partition.Length > 0 ? $" (partition {e.Partition})" : "";
        string what = e.Stage switch
        {
            ScheduledRunStage.Waiting => "next slot",
            ScheduledRunStage.Starting => "starting",
            ScheduledRunStage.Resuming => "resuming its interrupted run",
            ScheduledRunStage.AlreadyRun => "already run (by another serve process, or before a restart)",
            ScheduledRunStage.OutsidePartitions => "skipped: its partition is outside the flow's partitions",
            _ => Ended(e.Result!),
        };
        return $"{e.Flow} {slot}{partition}: {what}";
    }

    private static string Ended(FlowRunResult result) => result.State switch
    {
        RunState.Succeeded => $"run {result.Run.Run.Id} succeeded",
        RunState.Cancelled => $"run {result.Run.Run.Id} cancelled",
        _ => $"run {result.Run.Run.Id} {result.State.ToString().ToLowerInvariant()}: {CliContext.OneLine(result.Run.Run.Error ?? "")}",
    };
}
