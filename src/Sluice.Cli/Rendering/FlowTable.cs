using Sluice.Flows;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sluice.Cli.Rendering;

/// <summary>A flow run's tasks: a live tree while it runs, a table in summaries and <c>flow show</c>, and one line per
/// change when the output is a log.</summary>
internal static class FlowTable
{
    /// <summary>The tasks in the flow's order, each with how its mapped instances stand.</summary>
    public static IRenderable Live(IReadOnlyList<string> order, IReadOnlyCollection<TaskRunRecord> rows, TimeSpan elapsed)
    {
        var tree = new Tree($"flow run, {Format.Duration(elapsed)}");
        var byTask = rows.ToLookup(r => r.Task);
        foreach (string name in order)
        {
            var task = byTask[name].FirstOrDefault(r => r.IsTask);
            string state = task is null ? "pending" : Markup.Escape(FlowValues.Code(task.State));
            string counts = Instances(byTask[name]) is { Length: > 0 } mapped ? $" {mapped}" : "";
            tree.AddNode($"{Icon(task?.State ?? TaskState.Pending)} {Markup.Escape(name)} [grey]{state}{Markup.Escape(counts)}[/]");
        }
        return tree;
    }

    /// <summary>One row per task: state, attempts, duration, mapped instances, and why it failed or was skipped.</summary>
    public static Table Summary(IReadOnlyList<TaskRunRecord> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string header in new[] { "task", "state", "attempts", "duration", "instances", "" })
            table.AddColumn(new TableColumn(header));
        var byTask = rows.ToLookup(r => r.Task);
        foreach (var task in rows.Where(r => r.IsTask))
        {
            string note = task.State == TaskState.Cached ? "cache hit" : task.Error ?? (task.PipelineRunId is { } run ? $"pipeline run {run}" : "");
            table.AddRow(Markup.Escape(task.Task), Colored(task.State), task.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Duration(task.Duration), Markup.Escape(Instances(byTask[task.Task])), Markup.Escape(Shorten(note)));
        }
        return table;
    }

    /// <summary>"990 completed, 10 failed of 1,000" for a mapped task; empty for one that is not.</summary>
    public static string Instances(IEnumerable<TaskRunRecord> rows)
    {
        var instances = rows.Where(r => !r.IsTask).ToList();
        if (instances.Count == 0)
            return "";
        var counts = instances.GroupBy(i => i.State).OrderBy(g => g.Key).Select(g => $"{Format.Count(g.Count())} {FlowValues.Code(g.Key)}");
        return $"{string.Join(", ", counts)} of {Format.Count(instances.Count)}";
    }

    /// <summary>A log line for a change worth one: every change of a task, and a mapped instance's failure.</summary>
    public static string? ChangeLine(TaskRunRecord row)
    {
        string name = row.IsTask ? row.Task : $"{row.Task}[{row.Item}]";
        return (row.IsTask, row.State) switch
        {
            (false, not TaskState.Failed) => null,
            (_, TaskState.Running) => $"{name} running{(row.Attempts > 1 ? $" (attempt {row.Attempts})" : "")}",
            (_, TaskState.Completed) => $"{name} completed in {Format.Duration(row.Duration)}{(row.Error is { } note ? $" ({note})" : "")}",
            (_, TaskState.Cached) => $"{name} cached: a result with the same key exists",
            (_, TaskState.Pending) when row.Attempts > 0 => $"{name} failed attempt {row.Attempts}: {row.Error}; retrying",
            (_, TaskState.Pending) => null,
            _ => $"{name} {FlowValues.Code(row.State)}{(row.Error is { } error ? $": {error}" : "")}",
        };
    }

    private static string Colored(TaskState state) => state switch
    {
        TaskState.Completed or TaskState.Cached => $"[green]{FlowValues.Code(state)}[/]",
        TaskState.Failed or TaskState.Crashed => $"[red]{FlowValues.Code(state)}[/]",
        TaskState.Skipped or TaskState.Cancelled => $"[yellow]{FlowValues.Code(state)}[/]",
        _ => FlowValues.Code(state),
    };

    private static string Icon(TaskState state) => state switch
    {
        TaskState.Completed or TaskState.Cached => "[green]✓[/]",
        TaskState.Failed or TaskState.Crashed => "[red]✗[/]",
        TaskState.Running => "[blue]▶[/]",
        TaskState.Skipped or TaskState.Cancelled => "[yellow]–[/]",
        _ => "[grey]·[/]",
    };

    private static string Shorten(string text) => text.Length > 160 ? text[..160] + "…" : text;
}
