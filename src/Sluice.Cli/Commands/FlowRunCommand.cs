using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.Cli.Telemetry;
using Sluice.Flows;
using Sluice.Lineage;
using Sluice.State.Sqlite;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice flow run FILE</c>: runs a flow file (or resumes its unfinished run), shows its tasks live, then
/// a summary; the exit code is the run's, as for <c>sluice run</c>.</summary>
internal static class FlowRunCommand
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FLOW_FILE") { Description = "The flow file (YAML)." };
        var parameters = ParamOption.Create("one of the flow's parameters");
        var partition = new Option<string?>("--partition")
        {
            Description = "The partition to compute in a partitioned flow (its ${partition}, e.g. 2024-01-31); each partition has its own runs.",
            HelpName = "KEY",
        };
        var state = CommonOptions.State();
        var fresh = new Option<bool>("--fresh")
        {
            Description = "Start a new flow run even if the last one did not succeed (by default it is resumed: its completed tasks keep their results).",
        };
        var lineage = LineageOption.Create();
        var json = CommonOptions.Json("the flow run and its tasks when it ends (no live tree; task lines go to stderr)");
        var metrics = new MetricsOptions();
        var command = new Command("run", "Run a flow file (or resume its unfinished run) and print a summary of its tasks.")
        {
            file, parameters, partition, state, fresh, json, lineage,
        };
        metrics.AddTo(command);
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            var request = new FlowRunRequest
            {
                Parameters = parsed.GetValue(parameters)!,
                Partition = parsed.GetValue(partition),
                Fresh = parsed.GetValue(fresh),
            };
            return context.GuardAsync(() => RunAsync(context, parsed.GetValue(file)!, request, parsed.GetValue(state), metrics.Read(parsed),
                LineageOption.Value(parsed, lineage), ct), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string file, FlowRunRequest request, string? stateOption, MetricsListen? metrics,
        LineageOptions? lineage,
        CancellationToken ct)
    {
        if (!File.Exists(file))
            return context.Error($"no such flow file: {file}", ExitCodes.Invalid);
        FlowDefinition flow = FlowFile.Load(file);
        await using var telemetry = await CommandTelemetry.StartAsync(metrics, context.Stderr, ct);
        string statePath = context.StatePath = StatePaths.ForPipeline(stateOption, file);
        await using var store = await SqliteStateStore.OpenAsync(statePath);

        var rows = new ConcurrentDictionary<(string, int), TaskRunRecord>();
        bool live = context.Interactive && !context.Json;
        TextWriter log = context.Json ? context.Stderr : context.Stdout;
        var options = CliFlowOptions.Create(lineage) with
        {
            OnStart = (run, resumed) =>
            {
                if (resumed && !live) // a live tree owns the screen: the summary says it instead
                    log.WriteLine($"resuming flow run {run.Run.Id}: its completed tasks keep their results");
            },
            OnChange = row =>
            {
                // A row saved again in the same state (a pipeline task learning its run's id) is not a change to print.
                bool changed = !rows.TryGetValue((row.Task, row.Instance), out var before) || before.State != row.State || before.Attempts != row.Attempts;
                rows[(row.Task, row.Instance)] = row;
                if (!live && changed && FlowTable.ChangeLine(row) is { } line)
                {
                    log.WriteLine(line);
                    log.Flush();
                }
            },
        };
        var running = new FlowRunner(store, options).RunAsync(flow, request, ct);
        if (live)
            await WatchAsync(context.Console, flow, rows, running);
        var result = (await running)!; // null only for a schedule slot, which a run by hand has not

        int exitCode = ExitCodes.For(result.State);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, FlowRunDocument.Of(statePath, result.Run, result.Tasks, exitCode));
        }
        else
        {
            if (live && result.Resumed)
                context.Console.WriteLine($"resumed flow run {result.Run.Run.Id}: its completed tasks kept their results");
            context.Console.Write(FlowTable.Summary(result.Tasks));
            context.Console.WriteLine(LastLine(result, file));
        }
        if (result.Run.Run.Error is { } error && result.State != RunState.Cancelled)
            context.Stderr.WriteLine("error: " + CliContext.OneLine(error));
        return exitCode;
    }

    /// <summary>Redraws the task tree until the run ends; cancellation is the runner's to observe.</summary>
    private static async Task WatchAsync(IAnsiConsole console, FlowDefinition flow, ConcurrentDictionary<(string, int), TaskRunRecord> rows,
        Task running)
    {
        var order = flow.Tasks.Select(t => t.Name).ToList();
        var clock = Stopwatch.StartNew();
        await console.Live(FlowTable.Live(order, [], TimeSpan.Zero))
            .AutoClear(true)
            .StartAsync(async live =>
            {
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(RefreshInterval));
                    live.UpdateTarget(FlowTable.Live(order, [.. rows.Values], clock.Elapsed));
                    live.Refresh();
                }
            });
    }

    private static string LastLine(FlowRunResult result, string file)
    {
        string id = result.Run.Run.Id;
        string duration = Format.Duration(result.Run.Run.Duration);
        var tasks = result.TopLevel.ToList();
        string counts = string.Join(", ", tasks.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {FlowValues.Code(g.Key)}"));
        return result.State switch
        {
            RunState.Succeeded => $"flow run {id} succeeded in {duration}: {tasks.Count} tasks ({counts})",
            RunState.Cancelled => $"flow run {id} was cancelled after {duration} ({counts}); `sluice flow run {file}` resumes it",
            _ => $"flow run {id} failed after {duration} ({counts}); fix the cause and `sluice flow run {file}` resumes it",
        };
    }
}
