using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Svg;

namespace Sluice.Dashboard.Pages;

/// <summary>Per pipeline (or flow): the durations of its last N runs and the share of their records that were
/// dead-lettered, side by side, so a run that took twice as long or rejected ten times as much stands out.</summary>
internal static class ChartsPage
{
    public const int DefaultRuns = 50, MaxRuns = 1000;

    public sealed record Series(string Pipeline, IReadOnlyList<RunRecord> Runs);

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Charts", "page-charts");
        string? pipeline = http.Request.Query["pipeline"].FirstOrDefault() is { Length: > 0 } p ? p : null;
        if (!TryCount(http.Request.Query["n"].FirstOrDefault(), out int n, out string? problem))
            return Layout.Message(http, app, "Charts", problem!, StatusCodes.Status400BadRequest);
        if (pipeline is null)
        {
            var names = await RunQueries.PipelinesAsync(store, http.RequestAborted);
            var items = names.Select(name => H.Of($"""<li><a href="{app.Prefix}/charts{Layout.Query([("pipeline", name)])}" data-testid="chart-pipeline">{name}</a></li>"""));
            return Layout.Page(http, app, "Charts", "charts", "page-charts",
                names.Count == 0 ? H.Of($"""<p data-testid="no-runs">No runs yet.</p>""") : H.Of($"""<p>Choose a pipeline or flow:</p><ul id="chart-pipelines">{Markup.Join(items)}</ul>"""));
        }
        var runs = await RunQueries.RecentAsync(store, pipeline, n, http.RequestAborted);
        return Layout.Page(http, app, $"Charts: {pipeline}", "charts", "page-charts", Body(app, new Series(pipeline, runs), n));
    }

    public static bool TryCount(string? text, out int n, out string? problem)
    {
        (n, problem) = (DefaultRuns, null);
        if (string.IsNullOrEmpty(text))
            return true;
        if (int.TryParse(text, out n) && n is >= 1 and <= MaxRuns)
            return true;
        problem = $"n takes a number of runs from 1 to {MaxRuns}, not '{text}'";
        return false;
    }

    public static double DeadRatio(RunRecord run) => run.RecordsRead == 0 ? 0 : (double)run.DeadLettered / run.RecordsRead;

    private static Markup Body(DashboardApp app, Series series, int n)
    {
        var durations = series.Runs.Where(r => r.Duration is not null).Select(r => new BarChart.Bar(
            $"{r.Id} {Show.Utc(r.StartedAt)}", r.Duration!.Value.TotalSeconds, Show.Duration(r.Duration), r.State == RunState.Succeeded ? "" : "bad")).ToList();
        var ratios = series.Runs.Where(r => r.EndedAt is not null).Select(r => new BarChart.Bar(
            $"{r.Id} {Show.Utc(r.StartedAt)}", DeadRatio(r), Show.Percent(DeadRatio(r)), r.State == RunState.Succeeded ? "" : "bad")).ToList();
        return H.Of($"""
            <form method="get" action="{app.Prefix}/charts" class="filters" id="chart-form">
            <input type="hidden" name="pipeline" value="{series.Pipeline}">
            <label>Last <input type="number" name="n" min="1" max="{MaxRuns}" value="{n}" data-testid="chart-n"> runs</label>
            <button type="submit">Show</button>
            </form>
            <p data-testid="chart-runs" data-count="{series.Runs.Count}">{series.Runs.Count} runs of {series.Pipeline}, oldest on the left; failed runs are marked.
            <a href="{app.Prefix}/{Layout.Query([("pipeline", series.Pipeline)])}">List them</a></p>
            <h2>Run duration</h2>
            {BarChart.Draw("duration-chart", "duration of each run", durations)}
            <h2>Dead-letter ratio</h2>
            {BarChart.Draw("dead-ratio-chart", "dead letters per record read", ratios)}
            """);
    }
}
