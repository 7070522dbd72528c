using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>A run's page in Chromium: the stage graph drawn from the pipeline and the stage counts from the store.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunPageTests(Chromium chromium) : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    [Fact]
    public async Task The_run_page_draws_the_stage_graph_and_shows_the_stage_counts_the_store_holds()
    {
        var outcome = await _orders.RunAsync();
        var stored = await _orders.StoreAsync(s => s.GetStageCountsAsync(outcome.Run.Id));
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        // From the runs list, as a user gets there.
        await page.GotoAsync(site.Url("/"));
        await page.Locator($"[data-testid='run-row'][data-run-id='{outcome.Run.Id}'] [data-testid='run-link']").ClickAsync();
        await page.WaitForURLAsync($"**/runs/{outcome.Run.Id}");

        Assert.Equal(1, await page.Locator("main[data-testid='page-run']").CountAsync());
        var graph = page.Locator("[data-testid='stage-graph']");
        Assert.True(await graph.IsVisibleAsync());
        Assert.Equal(3, stored.Count);
        var drawn = await graph.Locator("[data-testid='graph-stage']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.stage)");
        Assert.Equal(stored.Select(s => s.Stage).Order(), drawn.Order());
        var edges = await graph.Locator("[data-testid='graph-edge']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.from + '->' + e.dataset.to)");
        Assert.Equal(stored.SelectMany(s => s.Inputs.Select(i => $"{i}->{s.Stage}")).Order(), edges.Order());
        Assert.Contains("source->contract", edges);
        foreach (var stage in stored)
        {
            var row = page.Locator($"[data-testid='stages-table'] [data-testid='stage-row'][data-stage='{stage.Stage}']");
            Assert.Equal(stage.In.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.Locator("[data-testid='stage-in']").TextContentAsync());
            Assert.Equal(stage.Out.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.Locator("[data-testid='stage-out']").TextContentAsync());
            Assert.Equal(stage.DeadLettered.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.Locator("[data-testid='stage-dead']").TextContentAsync());
        }
        Assert.Equal(OrdersPipeline.OverMax.Length, stored.Sum(s => s.DeadLettered));
        // The viewport only (1280×800): this one is also docs/dashboard.png.
        await Screenshots.SaveAsync(page, "run-page", fullPage: false);
        await page.Context.CloseAsync();
    }
}
