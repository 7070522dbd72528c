using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Svg;
using Sluice.Expectations;
using Sluice.Graphs;
using Sluice.State;

namespace Sluice.Dashboard.Pages;

/// <summary>One pipeline or replay run: totals, the stage graph with its counts, a records/s chart from its
/// checkpoints, the checkpoints, expectations, notes, error and the Mermaid text of the graph.</summary>
internal static class RunPage
{
    private const int CheckpointsShown = 20;

    /// <summary>What the page (and the API) shows of a run.</summary>
    public sealed record Detail(RunRecord Run, IReadOnlyList<StageCounts> Stages, IReadOnlyList<CheckpointSummary> Checkpoints,
        IReadOnlyList<ExpectationResult> Expectations, IReadOnlyList<RunNote> Notes, long? QueuedLetters, bool QueuedCapped,
        IReadOnlyList<(DateTimeOffset At, long Read)> Progress)
    {
        public string Mermaid => MermaidGraph.Of(Stages);

        /// <summary>How long the run has taken so far (its duration once ended).</summary>
        public TimeSpan Elapsed => (Run.EndedAt ?? DateTimeOffset.UtcNow) - Run.StartedAt;
    }

    public static async Task<Detail?> LoadAsync(SqliteStateStore store, string id, CancellationToken ct)
    {
        if (await store.FindRunAsync(id, ct) is not { } run)
            return null;
        var (queued, capped) = await LetterQueries.CountAsync(store, new Sluice.DeadLetterQuery(RunId: run.Id), ct, LetterQueries.CountBudget);
        return new Detail(run, await store.GetStageCountsAsync(run.Id, ct), await store.ListCheckpointsAsync(run.Id, ct),
            await store.GetExpectationResultsAsync(run.Id, ct), await store.GetRunNotesAsync(run.Id, ct), queued, capped,
            await RunQueries.ProgressAsync(store, run.Id, 120, ct));
    }

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app, string id)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Run", "page-run");
        var detail = await LoadAsync(store, id, http.RequestAborted);
        if (detail is null)
            return Layout.Message(http, app, "Run not found", $"No run has the id '{id}', and no single run starts with it.", StatusCodes.Status404NotFound);
        if (detail.Run.Kind == RunKinds.Flow)
            return Results.Redirect($"{app.Prefix}/flows/{Layout.Escaped(detail.Run.Id)}");
        bool live = detail.Run.State == RunState.Running;
        return Layout.Page(http, app, $"Run {detail.Run.Id}", "runs", "page-run", Body(app, detail), refreshSeconds: live ? 3 : null);
    }

    private static Markup Body(DashboardApp app, Detail d)
    {
        var run = d.Run;
        string prefix = app.Prefix;
        Markup parent = run.ParentRunId is { } p
            ? H.Of($"""<dt>parent run</dt><dd><a href="{prefix}/runs/{Layout.Escaped(p)}" data-testid="parent-run">{p}</a></dd>""")
            : Markup.Empty;
        Markup error = run.Error is { } e
            ? H.Of($"""<section id="error"><h2>Error</h2><pre class="error" data-testid="run-error">{Show.Clip(Redact.Secrets(e), Show.ErrorShown)}</pre></section>""")
            : Markup.Empty;
        Markup letters = d.QueuedLetters is null or > 0
            ? H.Of($"""<p><a id="run-letters" data-testid="run-letters" href="{prefix}/dead-letters{Layout.Query([("run", run.Id)])}">{(d.QueuedLetters is { } q ? Show.Capped(q, d.QueuedCapped) : "Many")} dead letters in the queue</a></p>""")
            : Markup.Empty;
        return H.Of($"""
            <dl class="facts" id="run-facts" data-testid="run-facts">
            <dt>pipeline</dt><dd data-testid="run-pipeline"><a href="{prefix}/charts{Layout.Query([("pipeline", run.Pipeline)])}">{run.Pipeline}</a></dd>
            <dt>kind</dt><dd data-testid="run-kind">{run.Kind}</dd>{parent}
            <dt>state</dt><dd>{Show.State(run.State)}</dd>
            <dt>started (UTC)</dt><dd>{Show.Utc(run.StartedAt)}</dd>
            <dt>ended (UTC)</dt><dd>{Show.Utc(run.EndedAt)}</dd>
            <dt>duration</dt><dd data-testid="run-duration">{Show.Duration(run.EndedAt is null ? d.Elapsed : run.Duration)}</dd>
            <dt>records</dt><dd data-testid="run-totals">read {Show.Count(run.RecordsRead)}, written {Show.Count(run.RecordsWritten)}, published {Show.Count(run.RecordsPublished)}, filtered {Show.Count(run.Filtered)}, dead {Show.Count(run.DeadLettered)}</dd>
            </dl>
            {letters}
            {error}
            <section id="graph"><h2>Stages</h2>
            {StageGraph.Draw(d.Stages, d.Elapsed)}
            {StageTable(d.Stages, d.Elapsed)}
            <details id="mermaid"><summary>Mermaid text of this graph</summary><pre data-testid="mermaid">{d.Mermaid}</pre></details>
            </section>
            <section id="throughput"><h2>Records/s</h2>{Throughput(d)}</section>
            {Checkpoints(d.Checkpoints)}
            {Expectations(d.Expectations)}
            {Notes(d.Notes)}
            """);
    }

    private static Markup StageTable(IReadOnlyList<StageCounts> stages, TimeSpan elapsed)
    {
        if (stages.Count == 0)
            return Markup.Empty;
        var rows = stages.Select(s => H.Of($"""
            <tr data-testid="stage-row" data-stage="{s.Stage}"><td>{s.Stage}</td><td>{s.Kind.ToString().ToLowerInvariant()}</td><td>{string.Join(", ", s.Inputs)}</td><td class="n" data-testid="stage-in">{s.In}</td><td class="n" data-testid="stage-out">{s.Out}</td><td class="n" data-testid="stage-filtered">{s.Filtered}</td><td class="n" data-testid="stage-dead">{s.DeadLettered}</td><td class="n">{(elapsed.TotalMilliseconds > 0 ? Show.Percent(Math.Min(1, s.Busy / elapsed)) : "")}</td><td class="n">{s.Retries}</td><td class="n">{s.Timeouts}</td><td class="n">{s.CircuitOpenings}</td></tr>
            """));
        return H.Of($"""
            <table id="stages" data-testid="stages-table">
            <thead><tr><th>stage</th><th>kind</th><th>inputs</th><th class="n">in</th><th class="n">out</th><th class="n">filtered</th><th class="n">dead-lettered</th><th class="n">busy</th><th class="n">retries</th><th class="n">timeouts</th><th class="n">breaker openings</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody>
            </table>
            """);
    }

    /// <summary>Records the sources read per second between consecutive checkpoints (from the run's start to the first).</summary>
    private static Markup Throughput(Detail d)
    {
        var bars = new List<BarChart.Bar>();
        var (at, read) = (d.Run.StartedAt, 0L);
        foreach (var point in d.Progress)
        {
            double seconds = (point.At - at).TotalSeconds;
            if (seconds > 0)
            {
                double rate = (point.Read - read) / seconds;
                bars.Add(new BarChart.Bar(Show.Utc(point.At), rate, $"{Show.Count((long)rate)} records/s"));
            }
            (at, read) = (point.At, point.Read);
        }
        return BarChart.Draw("throughput-chart", "records read per second between checkpoints", bars);
    }

    private static Markup Checkpoints(IReadOnlyList<CheckpointSummary> checkpoints)
    {
        if (checkpoints.Count == 0)
            return Markup.Empty;
        var rows = checkpoints.TakeLast(CheckpointsShown).Select(c => H.Of($"""
            <tr data-testid="checkpoint-row"><td>{c.Id}</td><td>{Show.Utc(c.CreatedAt)}</td><td class="n">{Show.Count(c.RecordsCommitted)}</td><td class="n">{Show.Duration(c.Duration)}</td></tr>
            """));
        string earlier = checkpoints.Count > CheckpointsShown ? $" (the newest {CheckpointsShown} of {Show.Count(checkpoints.Count)})" : "";
        return H.Of($"""
            <section id="checkpoints"><h2>Checkpoints{earlier}</h2>
            <table data-testid="checkpoints-table"><thead><tr><th>checkpoint</th><th>created (UTC)</th><th class="n">records committed</th><th class="n">took</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody></table></section>
            """);
    }

    private static Markup Expectations(IReadOnlyList<ExpectationResult> expectations)
    {
        if (expectations.Count == 0)
            return Markup.Empty;
        var rows = expectations.Select(e => H.Of($"""
            <tr data-testid="expectation-row" class="{(e.Passed ? "passed" : "failed")}"><td>{e.Expectation}</td><td>{e.Measured}</td><td data-testid="expectation-outcome">{e.Outcome}</td></tr>
            """));
        return H.Of($"""
            <section id="expectations"><h2>Expectations and gate</h2>
            <table data-testid="expectations-table"><thead><tr><th>expectation</th><th>measured</th><th>result</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody></table></section>
            """);
    }

    private static Markup Notes(IReadOnlyList<RunNote> notes)
    {
        if (notes.Count == 0)
            return Markup.Empty;
        var items = notes.Select(n => H.Of($"""<li data-testid="note" class="{(n.Warning ? "warning" : "")}">{(n.Warning ? "warning: " : "")}{n.Stage}: {Show.Clip(Redact.Secrets(n.Message), Show.ErrorShown)}</li>"""));
        return H.Of($"""<section id="notes"><h2>Notes</h2><ul>{Markup.Join(items)}</ul></section>""");
    }
}
