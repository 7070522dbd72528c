using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Svg;
using Sluice.Flows;

namespace Sluice.Dashboard.Pages;

/// <summary>One flow run: its task graph coloured by state, its tasks (and their mapped instances) with state,
/// attempts and duration, and every state change in order.</summary>
internal static class FlowRunPage
{
    /// <param name="Graph">The tasks and what each waits for, as the run stored them; null when it stored none.</param>
    /// <param name="GraphProblem">Why there is no graph: the run is older than the state file's graphs, or its graph
    /// does not read.</param>
    public sealed record Detail(FlowRunRecord Flow, IReadOnlyList<TaskRunRecord> Tasks, IReadOnlyList<TaskEvent> Events,
        FlowTaskGraph? Graph, string? GraphProblem);

    public const string NoGraphStored = "No graph stored for this flow run (it ran before Sluice kept one).";

    public static async Task<Detail?> LoadAsync(SqliteStateStore store, string id, CancellationToken ct)
    {
        var flows = new SqliteFlowStore(store);
        if (await flows.FindFlowRunAsync(id, ct) is not { } flow)
            return null;
        var (graph, problem) = await GraphAsync(flows, flow.Run.Id, ct);
        return new Detail(flow, await flows.ListTasksAsync(flow.Run.Id, ct), await flows.ListEventsAsync(flow.Run.Id, ct), graph, problem);
    }

    /// <summary>A graph that does not read is said on the page instead of failing it: the tasks and events still show.</summary>
    private static async Task<(FlowTaskGraph? Graph, string? Problem)> GraphAsync(SqliteFlowStore flows, string runId, CancellationToken ct)
    {
        try
        {
            return await flows.FindTaskGraphAsync(runId, ct) is { } graph ? (graph, null) : (null, NoGraphStored);
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
    }

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app, string id)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Flow run", "page-flow-run");
        var detail = await LoadAsync(store, id, http.RequestAborted);
        if (detail is null)
            return Layout.Message(http, app, "Flow run not found", $"No flow run has the id '{id}', and no single flow run starts with it.", StatusCodes.Status404NotFound);
        bool live = detail.Flow.Run.State == RunState.Running;
        return Layout.Page(http, app, $"Flow run {detail.Flow.Run.Id}", "runs", "page-flow-run", Body(app, detail), refreshSeconds: live ? 3 : null);
    }

    private static Markup Body(DashboardApp app, Detail d)
    {
        var run = d.Flow.Run;
        string prefix = app.Prefix;
        var tasks = d.Tasks.Select(t =>
        {
            Markup pipelineRun = t.PipelineRunId is { } p
                ? H.Of($"""<a href="{prefix}/runs/{Layout.Escaped(p)}" data-testid="task-pipeline-run">{p}</a>""")
                : Markup.Empty;
            string name = t.IsTask ? t.Task : $"{t.Task} [{t.Instance}]{(t.Item is null ? "" : " " + t.Item)}";
            return H.Of($"""
                <tr data-testid="task-row" data-task="{t.Task}" data-instance="{t.Instance}"><td>{name}</td><td data-testid="task-state" class="task-{t.State.ToString().ToLowerInvariant()}">{t.State.ToString().ToLowerInvariant()}</td><td class="n" data-testid="task-attempts">{t.Attempts}</td><td>{Show.Utc(t.StartedAt)}</td><td class="n">{Show.Duration(t.Duration)}</td><td>{pipelineRun}</td><td>{Show.Clip(Redact.Secrets(t.Error), Show.ErrorShown)}</td></tr>
                """);
        });
        var events = d.Events.Select(e => H.Of($"""
            <tr data-testid="event-row"><td>{Show.Utc(e.At)}</td><td>{e.Task}{(e.Instance >= 0 ? $" [{e.Instance}]" : "")}</td><td>{e.State.ToString().ToLowerInvariant()}</td><td class="n">{e.Attempt}</td><td>{Show.Clip(Redact.Secrets(e.Message), Show.ErrorShown)}</td></tr>
            """));
        Markup graph = d.Graph is { } stored
            ? TaskGraph.Draw(stored, d.Tasks)
            : H.Of($"""<p id="no-graph" data-testid="no-graph">{d.GraphProblem}</p>""");
        Markup error = run.Error is { } err ? H.Of($"""<pre class="error" data-testid="run-error">{Show.Clip(Redact.Secrets(err), Show.ErrorShown)}</pre>""") : Markup.Empty;
        return H.Of($"""
            <dl class="facts" id="flow-facts" data-testid="flow-facts">
            <dt>flow</dt><dd data-testid="flow-name">{d.Flow.Flow}</dd>
            <dt>partition</dt><dd>{d.Flow.Partition}</dd>
            <dt>state</dt><dd>{Show.State(run.State)}</dd>
            <dt>started (UTC)</dt><dd>{Show.Utc(run.StartedAt)}</dd>
            <dt>duration</dt><dd>{Show.Duration(run.Duration)}</dd>
            <dt>scheduled for</dt><dd>{Show.Utc(d.Flow.ScheduledFor)}</dd>
            </dl>
            {error}
            <section id="graph"><h2>Graph</h2>
            {graph}
            </section>
            <section id="tasks"><h2>Tasks</h2>
            <table data-testid="tasks-table"><thead><tr><th>task</th><th>state</th><th class="n">attempts</th><th>started (UTC)</th><th class="n">duration</th><th>pipeline run</th><th>error</th></tr></thead>
            <tbody>{Markup.Join(tasks)}</tbody></table></section>
            <section id="events"><h2>Events</h2>
            <table data-testid="events-table"><thead><tr><th>at (UTC)</th><th>task</th><th>state</th><th class="n">attempt</th><th>message</th></tr></thead>
            <tbody>{Markup.Join(events)}</tbody></table></section>
            """);
    }
}
