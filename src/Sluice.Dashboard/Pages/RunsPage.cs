using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Pages;

/// <summary>The runs list: pipeline, replay and flow runs, newest first, filtered and searched, a page at a time;
/// it reloads itself while a run on it is running.</summary>
internal static class RunsPage
{
    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app)
    {
        if (!TryFilter(http.Request.Query, out RunFilter filter, out string? problem))
            return Layout.Message(http, app, "Runs", problem!, StatusCodes.Status400BadRequest);
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return NoState(http, app, "Runs", "page-runs");
        var page = await RunQueries.ListAsync(store, filter, http.RequestAborted);
        bool live = page.Runs.Any(r => r.Run.State == RunState.Running);
        return Layout.Page(http, app, "Runs", "runs", "page-runs", Body(app, filter, page), refreshSeconds: live ? 5 : null);
    }

    public static IResult NoState(HttpContext http, DashboardApp app, string title, string testId) =>
        Layout.Page(http, app, title, "", testId, H.Of($"""
            <p id="no-state" data-testid="no-state">No state file at {app.State.Path} yet: run a pipeline with it first.</p>
            """));

    internal static bool TryFilter(IQueryCollection query, out RunFilter filter, out string? problem)
    {
        string? Get(string name) => query[name].FirstOrDefault() is { Length: > 0 } v ? v.Trim() : null;
        filter = new RunFilter(Get("pipeline"), Get("state"), Get("kind"), Get("q"), Get("before"), RunFilter.DefaultLimit);
        problem = null;
        try
        {
            if (filter.State is { } state)
                RunQueries.ParseState(state);
            // As an unknown state is: a mistyped kind ("flows") would otherwise read as "no runs match".
            if (filter.Kind is { } kind && !RunQueries.Kinds.Contains(kind))
                throw new FormatException($"unknown run kind '{kind}'; kinds: {string.Join(", ", RunQueries.Kinds)}");
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
        if (Get("limit") is { } limit)
        {
            if (!int.TryParse(limit, out int n) || n < 1 || n > RunFilter.MaxLimit)
            {
                problem = $"limit takes a number from 1 to {RunFilter.MaxLimit}, not '{limit}'";
                return false;
            }
            filter = filter with { Limit = n };
        }
        return true;
    }

    private static Markup Body(DashboardApp app, RunFilter filter, RunQueries.Page page)
    {
        string prefix = app.Prefix;
        Markup Option(string value, string label, string? current) =>
            H.Of($"""<option value="{value}"{(value == (current ?? "") ? new Markup(" selected") : Markup.Empty)}>{label}</option>""");
        var states = Markup.Join([Option("", "any state", filter.State), .. RunQueries.States.Select(s => Option(s.Word(), s.Word(), filter.State))]);
        var kinds = Markup.Join([Option("", "any kind", filter.Kind), .. RunQueries.Kinds.Select(k => Option(k, k, filter.Kind))]);
        var form = H.Of($"""
            <form method="get" action="{prefix}/" id="run-filters" class="filters" data-testid="run-filters">
            <label>Search <input type="search" name="q" value="{filter.Search}" placeholder="run id or pipeline prefix" data-testid="filter-q"></label>
            <label>Pipeline <input name="pipeline" value="{filter.Pipeline}" data-testid="filter-pipeline"></label>
            <label>State <select name="state" data-testid="filter-state">{states}</select></label>
            <label>Kind <select name="kind" data-testid="filter-kind">{kinds}</select></label>
            <button type="submit" data-testid="filter-apply">Filter</button>
            </form>
            """);
        if (page.Runs.Count == 0)
            return H.Of($"""{form}<p id="no-runs" data-testid="no-runs">No runs{(filter.Before is null ? "" : " before this one")} match.</p>""");

        var rows = Markup.Join(page.Runs.Select(listed => Row(prefix, listed)));
        Markup next = page.Next is { } n
            ? H.Of($"""<a id="next-page" data-testid="next-page" href="{prefix}/{Layout.Query([("pipeline", filter.Pipeline), ("state", filter.State), ("kind", filter.Kind), ("q", filter.Search), ("before", n)])}">Older runs →</a>""")
            : Markup.Empty;
        Markup first = filter.Before is not null
            ? H.Of($"""<a id="first-page" data-testid="first-page" href="{prefix}/{Layout.Query([("pipeline", filter.Pipeline), ("state", filter.State), ("kind", filter.Kind), ("q", filter.Search)])}">← Newest</a> """)
            : Markup.Empty;
        return H.Of($"""
            {form}
            <table id="runs" data-testid="runs-table">
            <thead><tr><th>run</th><th>pipeline</th><th>kind</th><th>state</th><th>started (UTC)</th><th class="n">duration</th><th class="n">read</th><th class="n">written</th><th class="n">filtered</th><th class="n">dead</th></tr></thead>
            <tbody>{rows}</tbody>
            </table>
            <p class="pager">{first}{next}</p>
            """);
    }

    private static Markup Row(string prefix, RunQueries.Listed listed)
    {
        var run = listed.Run;
        string href = run.Kind == RunKinds.Flow ? $"{prefix}/flows/{Layout.Escaped(run.Id)}" : $"{prefix}/runs/{Layout.Escaped(run.Id)}";
        string read = run.State == RunState.Running ? Show.Count(listed.LiveRead) + " so far" : Show.Count(run.RecordsRead);
        return H.Of($"""
            <tr data-testid="run-row" data-run-id="{run.Id}"><td><a href="{href}" data-testid="run-link">{run.Id}</a></td><td>{run.Pipeline}</td><td>{run.Kind}</td><td>{Show.State(run.State)}</td><td>{Show.Utc(run.StartedAt)}</td><td class="n">{Show.Duration(run.Duration)}</td><td class="n" data-testid="run-read">{read}</td><td class="n">{Show.Count(run.RecordsWritten)}</td><td class="n">{Show.Count(run.Filtered)}</td><td class="n" data-testid="run-dead">{Show.Count(run.DeadLettered)}</td></tr>
            """);
    }
}
