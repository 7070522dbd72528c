using Sluice.Dashboard.Html;
using Sluice.Dashboard.Pages;
using Sluice.Flows;

namespace Sluice.Dashboard.Svg;

/// <summary>
/// A flow run's task graph as SVG drawn on the server, laid out as the stage graph is (<see cref="LayeredLayout"/>):
/// one box per task, coloured and labelled by its state in this run (a mapped task also counts its instances by
/// state), and an arrow from each task to the tasks that wait for it — the graph <c>sluice graph</c> prints, from
/// the graph the run stored when it started.
/// </summary>
internal static class TaskGraph
{
    private const int BoxWidth = 240, BoxHeight = 76;

    private static readonly LayeredLayout.Sizes Sizes = new(BoxWidth, BoxHeight, ColumnGap: 60, RowGap: 20, Margin: 10);

    public static Markup Draw(FlowTaskGraph graph, IReadOnlyList<TaskRunRecord> rows)
    {
        if (graph.Tasks.Count == 0)
            return H.Of($"""<p id="no-graph" data-testid="no-graph">The flow run stored a graph without tasks.</p>""");
        var layout = LayeredLayout.Of([.. graph.Tasks.Select(t => new LayeredLayout.Node(t.Task, t.DependsOn))], Sizes);
        var edges = layout.Edges.Select(e =>
            H.Of($"""<path class="edge" data-testid="graph-edge" data-from="{e.From}" data-to="{e.To}" d="{e.Path}" marker-end="url(#task-arrow)"/>"""));
        var rowsOf = rows.ToLookup(r => r.Task, StringComparer.Ordinal);
        var boxes = graph.Tasks.DistinctBy(t => t.Task, StringComparer.Ordinal)
            .Select(task => Box(task, rowsOf[task.Task].ToList(), layout.Positions[task.Task]));
        return H.Of($"""
            <svg id="flow-graph" data-testid="flow-graph" class="graph" role="img" aria-label="task graph" width="{layout.Width}" height="{layout.Height}" viewBox="0 0 {layout.Width} {layout.Height}" xmlns="http://www.w3.org/2000/svg">
            <defs><marker id="task-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>
            {Markup.Join(edges)}
            {Markup.Join(boxes)}
            </svg>
            """);
    }

    private static Markup Box(FlowTaskGraph.Node task, List<TaskRunRecord> rows, (int X, int Y) at)
    {
        // A task has no row until the run first records it: until then it waits, as a pending one does.
        var own = rows.FirstOrDefault(r => r.IsTask);
        string state = FlowValues.Code(own?.State ?? TaskState.Pending);
        var instances = rows.Where(r => !r.IsTask).ToList();
        string kind = !task.Mapped ? task.Kind : task.Kind + " · mapped" + (instances.Count > 0 ? $" × {instances.Count}" : "");
        string attempts = own is { Attempts: > 1 } ? $" · {own.Attempts} attempts" : "";
        string counts = string.Join(" · ", instances.GroupBy(r => r.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {FlowValues.Code(g.Key)}"));
        int x = at.X + 8;
        return H.Of($"""
            <g class="stage task-state-{state}" data-testid="graph-task" data-task="{task.Task}" data-state="{state}">
            <title>{task.Task} ({kind}): {state}{attempts}{(counts.Length > 0 ? "; " + counts : "")}{(own?.Error is { } error ? "; " + Redact.Secrets(error) : "")}</title>
            <rect x="{at.X}" y="{at.Y}" width="{BoxWidth}" height="{BoxHeight}" rx="6"/>
            <text x="{x}" y="{at.Y + 18}" class="name">{Clip(task.Task, 30)}</text>
            <text x="{x}" y="{at.Y + 34}" class="kind">{kind}</text>
            <text x="{x}" y="{at.Y + 52}" class="state">{state}{attempts}</text>
            <text x="{x}" y="{at.Y + 68}" class="kind" data-testid="graph-instances">{Clip(counts, 40)}</text>
            </g>
            """);
    }

    /// <summary>Long names are cut in the box; its title (a tooltip) and the tasks table have them whole.</summary>
    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
