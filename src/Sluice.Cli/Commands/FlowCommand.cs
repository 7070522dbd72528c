using System.CommandLine;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.Flows;
using Sluice.State.Sqlite;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice flow …</c>: run flows, list and show their runs, cancel one, print the flow file's schema.</summary>
internal static class FlowCommand
{
    public static Command Create(CliContext context) => new("flow", "Run flows (graphs of tasks: commands and pipeline files) and look at their runs.")
    {
        FlowRunCommand.Create(context),
        List(context),
        Show(context),
        Cancel(context),
        FlowBackfillCommand.Create(context),
        Schema(context),
    };

    private static Command List(CliContext context)
    {
        var flow = new Option<string?>("--flow") { Description = "Only this flow (its name).", HelpName = "NAME" };
        var limit = CommonOptions.Limit(20);
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the flow runs");
        var command = new Command("list", "List recent flow runs, newest first, with how their tasks ended.") { flow, limit, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => ListAsync(context, parsed.GetValue(flow), parsed.GetValue(limit), parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    private static async Task<int> ListAsync(CliContext context, string? flow, int limit, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using var store = await QueryStore.OpenExistingAsync(statePath) as SqliteStateStore;
        if (store is null)
        {
            if (context.Json)
                JsonDocuments.Write(context.Stdout, new FlowRunsDocument(statePath, false, []));
            else
                context.Console.WriteLine(QueryStore.Missing(statePath));
            return ExitCodes.Ok;
        }
        var flows = new SqliteFlowStore(store);
        var items = new List<FlowRunListItem>();
        foreach (var run in await flows.ListFlowRunsAsync(flow, limit, ct))
        {
            var tasks = (await flows.ListTasksAsync(run.Run.Id, ct)).Where(t => t.IsTask);
            items.Add(new FlowRunListItem(FlowRunPart.Of(run), tasks.GroupBy(t => FlowValues.Code(t.State)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count())));
        }
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new FlowRunsDocument(statePath, true, items));
            return ExitCodes.Ok;
        }
        if (items.Count == 0)
        {
            context.Console.WriteLine(flow is null ? "no flow runs yet" : $"no runs of flow '{flow}'");
            return ExitCodes.Ok;
        }
        var table = new Table().RoundedBorder();
        foreach (string header in new[] { "flow run", "flow", "partition", "state", "started (UTC)", "duration", "tasks" })
            table.AddColumn(header);
        foreach (var item in items)
        {
            var run = item.Run;
            table.AddRow(Markup.Escape(run.RunId), Markup.Escape(run.Flow), Markup.Escape(run.Partition ?? ""), run.State,
                Format.Utc(run.StartedAt), Format.Duration(run.DurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null),
                Markup.Escape(string.Join(", ", item.Tasks.Select(t => $"{t.Value} {t.Key}"))));
        }
        context.Console.Write(table);
        return ExitCodes.Ok;
    }

    private static Command Show(CliContext context)
    {
        var run = new Argument<string>("RUN") { Description = "The flow run's id, or a prefix of it that only one run has." };
        var events = new Option<bool>("--events") { Description = "Also list every state change of every task instance, in order." };
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the flow run and its tasks");
        var command = new Command("show", "Show one flow run: its parameters, each task's state, attempts, duration and error.") { run, events, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => ShowAsync(context, parsed.GetValue(run)!, parsed.GetValue(events), parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    private static async Task<int> ShowAsync(CliContext context, string idOrPrefix, bool events, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using var store = await QueryStore.OpenExistingAsync(statePath) as SqliteStateStore;
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        var flows = new SqliteFlowStore(store);
        if (await flows.FindFlowRunAsync(idOrPrefix, ct) is not { } run)
            return context.Error($"no flow run has the id '{idOrPrefix}', and no single flow run starts with it (see sluice flow list)", ExitCodes.NotFound);
        var tasks = await flows.ListTasksAsync(run.Run.Id, ct);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, FlowRunDocument.Of(statePath, run, tasks, ExitCodes.Ok));
            return ExitCodes.Ok;
        }
        await WriteAsync(context.Console, flows, run, tasks, events, ct);
        return ExitCodes.Ok;
    }

    /// <summary>A flow run's header, task table, unfinished mapped instances and error (also what <c>sluice show</c>
    /// prints for a flow run).</summary>
    internal static async Task WriteAsync(IAnsiConsole console, SqliteFlowStore flows, FlowRunRecord run, IReadOnlyList<TaskRunRecord> tasks,
        bool events, CancellationToken ct)
    {
        var header = new Grid().AddColumn().AddColumn();
        void Field(string name, string value) => header.AddRow(new Text(name), new Text(value));
        Field("flow run", run.Run.Id);
        Field("flow", run.Flow);
        if (run.Partition.Length > 0)
            Field("partition", run.Partition);
        foreach (var (name, value) in run.Parameters)
            Field($"param {name}", value);
        if (run.ScheduledFor is { } slot)
            Field("scheduled for (UTC)", Format.Utc(slot));
        Field("state", Format.State(run.Run.State));
        Field("started (UTC)", Format.Utc(run.Run.StartedAt));
        Field("ended (UTC)", Format.Utc(run.Run.EndedAt));
        Field("duration", Format.Duration(run.Run.Duration));
        console.Write(header);
        console.Write(FlowTable.Summary(tasks));
        const int Shown = 10;
        var unfinished = tasks.Where(t => !t.IsTask && t.State is not (TaskState.Completed or TaskState.Cached)).ToList();
        foreach (var instance in unfinished.Take(Shown))
            console.WriteLine($"{instance.Task}[{instance.Item}] {FlowValues.Code(instance.State)}{(instance.Error is { } e ? ": " + e : "")}");
        if (unfinished.Count > Shown)
            console.WriteLine($"… and {unfinished.Count - Shown} more instances that did not complete (--json lists them all)");
        if (events)
        {
            foreach (var change in await flows.ListEventsAsync(run.Run.Id, ct))
            {
                string name = change.Instance < 0 ? change.Task : $"{change.Task}[{change.Instance}]";
                console.WriteLine($"{Format.Utc(change.At)}  {name} {FlowValues.Code(change.State)} (attempt {change.Attempt}){(change.Message is { } m ? ": " + m : "")}");
            }
        }
        if (run.Run.Error is not null)
            console.WriteLine("error: " + run.Run.Error);
    }

    private static Command Cancel(CliContext context)
    {
        var run = new Argument<string>("RUN") { Description = "The flow run's id, or a prefix of it that only one run has." };
        var state = CommonOptions.State();
        var command = new Command("cancel", "Ask the process running a flow run to cancel it: its running tasks are stopped and the run ends cancelled (`sluice flow run` resumes it later).") { run, state };
        command.SetAction((parsed, ct) => context.GuardAsync(() => CancelAsync(context, parsed.GetValue(run)!, parsed.GetValue(state), ct), ct));
        return command;
    }

    private static async Task<int> CancelAsync(CliContext context, string idOrPrefix, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using var store = await QueryStore.OpenExistingForWritingAsync(statePath) as SqliteStateStore;
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        var flows = new SqliteFlowStore(store);
        if (await flows.FindFlowRunAsync(idOrPrefix, ct) is not { } run)
            return context.Error($"no flow run has the id '{idOrPrefix}', and no single flow run starts with it (see sluice flow list)", ExitCodes.NotFound);
        if (!await flows.RequestCancelAsync(run.Run.Id, ct))
        {
            context.Console.WriteLine($"flow run {run.Run.Id} is not running (it {Format.State(run.Run.State)}): nothing to cancel");
            return ExitCodes.Ok;
        }
        context.Console.WriteLine($"asked flow run {run.Run.Id} to cancel: the process running it stops its tasks within a second or so");
        return ExitCodes.Ok;
    }

    private static Command Schema(CliContext context)
    {
        var command = new Command("schema", "Print the JSON Schema of flow files (for editor completion and checks).");
        command.SetAction((_, ct) => context.GuardAsync(() =>
        {
            context.Stdout.Write(FlowFile.JsonSchema().TrimEnd('\n') + "\n");
            return Task.FromResult(ExitCodes.Ok);
        }, ct));
        return command;
    }
}
