using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Dashboard.Tests.TestSupport;
using Sluice.Flows;
using Sluice.Lineage;

namespace Sluice.Dashboard.Tests;

/// <summary>The lineage page over a real run of a pipeline that renames and derives: the datasets it read and wrote,
/// the arrows between them and the pipeline, and each output column's origins exactly as the run recorded them.</summary>
public sealed partial class LineagePageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state/state.db");

    private async Task<RunOutcome> RunAsync()
    {
        _dir.Write("data/orders.csv", "id,price,qty\n1,2.50,4\n2,1.25,2\n");
        string file = _dir.Write("pipeline.yaml", """
            name: orders
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                price: { type: decimal, scale: 2 }
                qty: { type: int64 }
            transforms:
              - rename: { price: unit_price }
              - derive: { total: unit_price * qty }
            sink: { type: jsonl, path: out }
            """);
        await using var store = await SqliteStateStore.OpenAsync(State);
        return await new PipelineRunner(store).RunAsync(PipelineFile.Load(file));
    }

    private async Task<IReadOnlyList<PipelineLineage>> StoredAsync()
    {
        await using var store = await SqliteStateStore.OpenAsync(State);
        return await store.ListLineageAsync();
    }

    [Fact]
    public async Task The_lineage_page_shows_the_datasets_the_edges_and_each_columns_origins()
    {
        var outcome = await RunAsync();
        var lineage = Assert.Single(await StoredAsync());
        var input = Assert.Single(lineage.Inputs);
        var output = Assert.Single(lineage.Outputs);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync("/sluice/lineage");

        Assert.Contains("data-testid=\"page-lineage\"", page);
        Assert.Contains("data-testid=\"nav-lineage\" aria-current=\"page\"", page);
        Assert.Contains("data-testid=\"lineage-graph\"", page);
        Assert.Equal(new[] { input.Name, output.Name }.Order(StringComparer.Ordinal), Attributes(page, "lineage-dataset", "data-name").Order(StringComparer.Ordinal));
        Assert.Equal(["orders"], Attributes(page, "lineage-pipeline", "data-pipeline"));
        var edges = Edges().Matches(page).Select(m => (WebUtility.HtmlDecode(m.Groups["from"].Value), WebUtility.HtmlDecode(m.Groups["to"].Value))).ToList();
        Assert.Equal([(input.Name, "orders"), ("orders", output.Name)], edges.Order());
        Assert.Contains(outcome.Run.Id, page);

        // Column-level lineage: unit_price is price copied, total is computed from price and qty; nothing else.
        var columns = ColumnRows().Matches(page).ToDictionary(m => m.Groups["column"].Value, m => ColumnOrigins().Matches(m.Value)
            .Select(o => $"{WebUtility.HtmlDecode(o.Groups["name"].Value)}.{o.Groups["field"].Value}:{o.Groups["computed"].Value}").ToList());
        Assert.Equal(output.Columns.Select(c => c.Column).Order(), columns.Keys.Order());
        Assert.Equal([$"{input.Name}.price:false"], columns["unit_price"]);
        Assert.Equal([$"{input.Name}.price:true", $"{input.Name}.qty:true"], columns["total"].Order());
        Assert.Contains("id int64, price decimal, qty int64", page);
    }

    [Fact]
    public async Task Pipelines_join_where_one_writes_what_another_reads_and_names_are_encoded()
    {
        await RunAsync();
        var orders = Assert.Single(await StoredAsync());
        var written = orders.Outputs[0];
        const string Evil = "<b>report</b>";
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            await store.SaveLineageAsync(new PipelineLineage(Evil, "r-evil", DateTimeOffset.UtcNow,
                [written with { Stage = "source", Columns = [] }],
                [new DatasetLineage("sink", "file", "/reports/<i>daily</i>", [new LineageField("total", "decimal")],
                    [new ColumnLineage("total", [new ColumnOrigin(written.Namespace, written.Name, "total", false)])])]));
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync("/sluice/lineage");

        Assert.DoesNotContain("<b>", page);
        Assert.DoesNotContain("<i>", page);
        Assert.Contains("&lt;b&gt;report&lt;/b&gt;", page);
        Assert.Equal([Evil, "orders"], Attributes(page, "lineage-pipeline", "data-pipeline").Order(StringComparer.Ordinal));
        // The orders output is one node, read by the second pipeline: three datasets, four edges.
        Assert.Equal(3, Attributes(page, "lineage-dataset", "data-name").Count);
        var edges = Edges().Matches(page).Select(m => (WebUtility.HtmlDecode(m.Groups["from"].Value), WebUtility.HtmlDecode(m.Groups["to"].Value))).ToList();
        Assert.Contains((written.Name, Evil), edges);
        Assert.Contains((Evil, "/reports/<i>daily</i>"), edges);
        Assert.Equal(4, edges.Count);

        using var json = JsonDocument.Parse(await host.PageAsync("/sluice/api/lineage"));
        var pipelines = json.RootElement.GetProperty("pipelines").EnumerateArray().Select(p => p.GetProperty("pipeline").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal([Evil, "orders"], pipelines);
        Assert.Equal(0, json.RootElement.GetProperty("flows").GetArrayLength());
    }

    [Fact]
    public async Task A_flow_is_shown_on_the_pipelines_its_tasks_ran()
    {
        var outcome = await RunAsync();
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            var flows = new SqliteFlowStore(store);
            var flow = (await flows.StartFlowRunAsync("<nightly>", "", new Dictionary<string, string>(), "hash", null,
                new FlowTaskGraph([new("load", "pipeline", false, [])]), CancellationToken.None))!;
            await flows.SaveAsync([new TaskRunRecord(flow.Run.Id, "load", -1, null, TaskState.Completed, 1, outcome.Run.StartedAt, outcome.Run.EndedAt,
                null, outcome.Run.Id, null, null, null)], null, CancellationToken.None);
            await flows.FinishFlowRunAsync(flow.Run.Id, RunState.Succeeded, null, CancellationToken.None);
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync("/sluice/lineage");

        var pipeline = Regex.Match(page, "<g [^>]*data-testid=\"lineage-pipeline\" data-pipeline=\"orders\">.*?</g>", RegexOptions.Singleline);
        Assert.True(pipeline.Success, page);
        Assert.Contains("data-testid=\"lineage-flow\" data-flow=\"&lt;nightly&gt;\"", pipeline.Value);
        Assert.Contains("flow &lt;nightly&gt;", pipeline.Value);
        Assert.Matches("<tr data-testid=\"flow-pipeline-row\" data-flow=\"&lt;nightly&gt;\"><td>&lt;nightly&gt;</td><td>load</td><td>orders</td>", page);
        Assert.DoesNotContain("<nightly>", page);
    }

    private static List<string> Attributes(string page, string testId, string attribute) =>
        [.. new Regex($"data-testid=\"{testId}\"[^>]*? {attribute}=\"([^\"]*)\"").Matches(page).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    [GeneratedRegex("data-testid=\"lineage-edge\" data-from=\"(?<from>[^\"]*)\" data-to=\"(?<to>[^\"]*)\"")]
    private static partial Regex Edges();

    [GeneratedRegex("<tr data-testid=\"column-row\"[^>]*data-column=\"(?<column>[^\"]*)\">.*?</tr>")]
    private static partial Regex ColumnRows();

    [GeneratedRegex("data-testid=\"column-origin\" data-namespace=\"[^\"]*\" data-name=\"(?<name>[^\"]*)\" data-field=\"(?<field>[^\"]*)\" data-computed=\"(?<computed>[a-z]+)\"")]
    private static partial Regex ColumnOrigins();
}
