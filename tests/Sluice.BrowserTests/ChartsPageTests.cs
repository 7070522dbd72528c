using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>The charts page in Chromium: one bar per run in each chart.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChartsPageTests(Chromium chromium) : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    [Fact]
    public async Task The_charts_page_draws_the_duration_and_dead_ratio_charts_with_one_bar_per_run()
    {
        // The first run reads the file (one letter in ten); the file is consumed, so the next two read nothing.
        for (int i = 0; i < 3; i++)
            await _orders.RunAsync();
        var runs = await _orders.StoreAsync(s => s.ListRunsAsync("orders"));
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(site.Url("/charts?pipeline=orders"));

        Assert.Equal(1, await page.Locator("main[data-testid='page-charts']").CountAsync());
        Assert.Equal(3, runs.Count);
        var duration = page.Locator("[data-testid='duration-chart']");
        var deadRatio = page.Locator("[data-testid='dead-ratio-chart']");
        Assert.True(await duration.IsVisibleAsync());
        Assert.True(await deadRatio.IsVisibleAsync());
        Assert.Equal(runs.Count, await duration.Locator("[data-testid='bar']").CountAsync());
        var ratios = await deadRatio.Locator("[data-testid='bar']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)");
        Assert.Equal(["0.1", "0", "0"], ratios);
        await Screenshots.SaveAsync(page, "charts");
        await page.Context.CloseAsync();
    }
}
