using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Svg;
using Sluice.Lineage;

namespace Sluice.Dashboard.Pages;

/// <summary>Where data goes: the datasets each pipeline read and wrote as its newest run recorded them, joined where
/// one pipeline's output is another's input, with the flows that ran them; then, per pipeline, where each output
/// column comes from, and each dataset's fields.</summary>
internal static class LineagePage
{
    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Lineage", "page-lineage");
        var pipelines = await store.ListLineageAsync(http.RequestAborted);
        var flows = await store.ListFlowPipelinesAsync(http.RequestAborted);
        return Layout.Page(http, app, "Lineage", "lineage", "page-lineage", Body(app, pipelines, flows));
    }

    private static Markup Body(DashboardApp app, IReadOnlyList<PipelineLineage> pipelines, IReadOnlyList<FlowPipeline> flows)
    {
        var ordered = pipelines.OrderBy(p => p.Pipeline, StringComparer.Ordinal).ToList();
        var flowRows = flows.OrderBy(f => f.Flow, StringComparer.Ordinal).ThenBy(f => f.Task, StringComparer.Ordinal).Select(f => H.Of($"""
            <tr data-testid="flow-pipeline-row" data-flow="{f.Flow}"><td>{f.Flow}</td><td>{f.Task}</td><td>{f.Pipeline}</td><td><a href="{app.Prefix}/runs/{Layout.Escaped(f.LastRunId)}">{f.LastRunId}</a></td><td>{Show.Utc(f.LastRunAt)}</td></tr>
            """));
        Markup flowTable = flows.Count == 0 ? Markup.Empty : H.Of($"""
            <h2>Flows</h2>
            <table id="lineage-flows" data-testid="lineage-flows">
            <thead><tr><th>flow</th><th>task</th><th>pipeline</th><th>last run</th><th>at (UTC)</th></tr></thead>
            <tbody>{Markup.Join(flowRows)}</tbody>
            </table>
            """);
        return H.Of($"""
            <p>Datasets (rectangles) and the pipelines (rounded) that read and write them, as each pipeline's newest run recorded them.</p>
            {DatasetGraph.Draw(ordered, flows)}
            {flowTable}
            {Markup.Join(ordered.Select(p => Pipeline(app, p)))}
            {Datasets(ordered)}
            """);
    }

    private static Markup Pipeline(DashboardApp app, PipelineLineage lineage)
    {
        var rows = lineage.Outputs.SelectMany(output => output.Columns.Select(column => H.Of($"""
            <tr data-testid="column-row" data-dataset="{output.Name}" data-column="{column.Column}"><td>{output.Name}</td><td>{column.Column}</td><td>{Markup.Join(column.Inputs.Select(Origin))}</td></tr>
            """))).ToList();
        Markup table = rows.Count == 0
            ? H.Of($"""<p data-testid="no-columns">No output column's origin is known.</p>""")
            : H.Of($"""
                <table data-testid="columns-table">
                <thead><tr><th>output</th><th>column</th><th>comes from</th></tr></thead>
                <tbody>{Markup.Join(rows)}</tbody>
                </table>
                """);
        return H.Of($"""
            <section data-testid="lineage-pipeline-section" data-pipeline="{lineage.Pipeline}">
            <h2>Pipeline {lineage.Pipeline}</h2>
            <p>Recorded by run <a href="{app.Prefix}/runs/{Layout.Escaped(lineage.RunId)}" data-testid="lineage-run">{lineage.RunId}</a> at {Show.Utc(lineage.UpdatedAt)}.
            Reads {string.Join(", ", lineage.Inputs.Select(d => d.Name))}; writes {string.Join(", ", lineage.Outputs.Select(d => d.Name))}.</p>
            {table}
            </section>
            """);
    }

    private static Markup Origin(ColumnOrigin origin) => H.Of($"""
        <span class="origin" data-testid="column-origin" data-namespace="{origin.Namespace}" data-name="{origin.Name}" data-field="{origin.Field}" data-computed="{(origin.Computed ? "true" : "false")}">{origin.Name}.{origin.Field} ({(origin.Computed ? "computed" : "copied")})</span>
        """);

    /// <summary>Each dataset once, with the fields the newest recording of it named.</summary>
    private static Markup Datasets(IReadOnlyList<PipelineLineage> pipelines)
    {
        var datasets = pipelines.OrderByDescending(p => p.UpdatedAt).SelectMany(p => p.Inputs.Concat(p.Outputs))
            .DistinctBy(d => (d.Namespace, d.Name)).OrderBy(d => d.Name, StringComparer.Ordinal).ThenBy(d => d.Namespace, StringComparer.Ordinal).ToList();
        if (datasets.Count == 0)
            return Markup.Empty;
        var rows = datasets.Select(d => H.Of($"""
            <tr data-testid="dataset-row" data-namespace="{d.Namespace}" data-name="{d.Name}"><td>{d.Namespace}</td><td>{d.Name}</td><td data-testid="dataset-fields">{string.Join(", ", d.Fields.Select(f => $"{f.Name} {f.Type}"))}</td></tr>
            """));
        return H.Of($"""
            <h2>Datasets</h2>
            <table id="lineage-datasets" data-testid="datasets-table">
            <thead><tr><th>namespace</th><th>name</th><th>fields</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody>
            </table>
            """);
    }
}
