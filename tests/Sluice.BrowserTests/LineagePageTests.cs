using Microsoft.Playwright;
using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>The lineage page in Chromium over two real pipelines joined by a dataset: orders (CSV → contract → an
/// HTTP API) and order-report (that API → select, rename, derive → JSON Lines files).</summary>
[Collection(BrowserCollection.Name)]
public sealed class LineagePageTests(Chromium chromium) : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private OrdersApi _api = null!;
    private OrdersPipeline _orders = null!;

    public async Task InitializeAsync()
    {
        _api = await OrdersApi.StartAsync();
        _orders = new OrdersPipeline { Sink = $"{{ type: http, url: \"{_api.Url}\" }}" };
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _orders.Dispose();
        _dir.Dispose();
    }

    private string Report => _dir.File("report");

    /// <summary>Reads what orders wrote: keeps id and amount, renames amount to price, derives cents from it.</summary>
    private async Task<RunOutcome> RunReportAsync()
    {
        string file = _dir.Write("report.yaml", $$"""
            name: order-report
            source: { type: http, url: "{{_api.Url}}" }
            contract:
              fields:
                id: { type: int64, required: true }
                amount: { type: int64 }
                note: { type: string }
            transforms:
              - select: [id, amount]
              - rename: { amount: price }
              - derive: { cents: price * 100 }
            sink: { type: jsonl, path: report }
            """);
        await using var store = await SqliteStateStore.OpenAsync(_orders.State);
        return await new PipelineRunner(store).RunAsync(PipelineFile.Load(file));
    }

    [Fact]
    public async Task The_lineage_page_joins_two_pipelines_at_the_dataset_one_writes_and_the_other_reads()
    {
        await _orders.RunAsync();
        await RunReportAsync();
        int kept = OrdersPipeline.Rows - OrdersPipeline.OverMax.Length;
        Assert.Equal(kept, _api.Count);
        Assert.Equal(kept, JsonlOutput.Ids(Report).Count);
        string api = $"http://127.0.0.1:{_api.Url.Port}";
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(site.Url("/lineage"));

        Assert.Equal(1, await page.Locator("main[data-testid='page-lineage']").CountAsync());
        var graph = page.Locator("[data-testid='lineage-graph']");
        Assert.True(await graph.IsVisibleAsync());
        // One box per dataset, by namespace and name: the API orders writes and order-report reads is one of them.
        var datasets = await graph.Locator("[data-testid='lineage-dataset']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.namespace + ' ' + e.dataset.name)");
        Assert.Equal(new[] { $"file {_orders.Input}", $"{api} /orders", $"file {Report}" }.Order(), datasets.Order());
        var pipelines = await graph.Locator("[data-testid='lineage-pipeline']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.pipeline)");
        Assert.Equal(["order-report", "orders"], pipelines.Order());
        var edges = await graph.Locator("[data-testid='lineage-edge']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.from + ' -> ' + e.dataset.to)");
        Assert.Equal(new[] { $"{_orders.Input} -> orders", "orders -> /orders", "/orders -> order-report", $"order-report -> {Report}" }.Order(), edges.Order());

        // Drawn left to right in that order: each box starts right of the one before it.
        var boxes = new[]
        {
            Dataset(graph, _orders.Input), graph.Locator("[data-testid='lineage-pipeline'][data-pipeline='orders']"), Dataset(graph, "/orders"),
            graph.Locator("[data-testid='lineage-pipeline'][data-pipeline='order-report']"), Dataset(graph, Report),
        };
        var lefts = new List<float>();
        foreach (var box in boxes)
            lefts.Add((await box.BoundingBoxAsync())!.X);
        Assert.Equal(lefts.Order(), lefts);
        Assert.Equal(lefts.Count, lefts.Distinct().Count());

        // Column origins as each pipeline's transforms make them: orders passes its columns through the contract;
        // order-report drops note, copies id, renames amount to price and computes cents from amount.
        Assert.Equal(new Dictionary<string, string[]>
        {
            ["id"] = [$"{_orders.Input}.id (copied)"],
            ["amount"] = [$"{_orders.Input}.amount (copied)"],
            ["note"] = [$"{_orders.Input}.note (copied)"],
        }, await OriginsAsync(page, "orders"));
        Assert.Equal(new Dictionary<string, string[]>
        {
            ["id"] = ["/orders.id (copied)"],
            ["price"] = ["/orders.amount (copied)"],
            ["cents"] = ["/orders.amount (computed)"],
        }, await OriginsAsync(page, "order-report"));
        await Screenshots.SaveAsync(page, "lineage");
        await page.Context.CloseAsync();
    }

    private static ILocator Dataset(ILocator graph, string name) => graph.Locator($"[data-testid='lineage-dataset'][data-name='{name}']");

    /// <summary>Each output column of a pipeline with its origins as the page writes them.</summary>
    private static async Task<Dictionary<string, string[]>> OriginsAsync(IPage page, string pipeline)
    {
        var rows = page.Locator($"[data-testid='lineage-pipeline-section'][data-pipeline='{pipeline}'] [data-testid='column-row']");
        var origins = new Dictionary<string, string[]>();
        for (int i = 0; i < await rows.CountAsync(); i++)
        {
            string column = (await rows.Nth(i).GetAttributeAsync("data-column"))!;
            origins[column] = [.. await rows.Nth(i).Locator("[data-testid='column-origin']").AllTextContentsAsync()];
        }
        return origins;
    }
}
