using System.Globalization;
using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>The runs list in Chromium, over real runs in a temp state file.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunsPageTests(Chromium chromium) : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    [Fact]
    public async Task The_runs_list_shows_each_run_with_the_read_and_dead_counts_the_store_holds()
    {
        // The first run reads the file (one letter in ten); the file is consumed, so the second reads nothing.
        await _orders.RunAsync();
        await _orders.RunAsync();
        var stored = await _orders.StoreAsync(s => s.ListRunsAsync("orders"));
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(site.Url("/"));

        Assert.Equal(1, await page.Locator("main[data-testid='page-runs']").CountAsync());
        var rows = page.Locator("[data-testid='runs-table'] [data-testid='run-row']");
        Assert.Equal(2, stored.Count);
        Assert.Equal(stored.Count, await rows.CountAsync());
        foreach (var run in stored)
        {
            var row = page.Locator($"[data-testid='run-row'][data-run-id='{run.Id}']");
            Assert.Equal(run.Id, await row.Locator("[data-testid='run-link']").TextContentAsync());
            Assert.Equal(Count(run.RecordsRead), await row.Locator("[data-testid='run-read']").TextContentAsync());
            Assert.Equal(Count(run.DeadLettered), await row.Locator("[data-testid='run-dead']").TextContentAsync());
        }
        Assert.Equal([OrdersPipeline.Rows, 0], stored.Select(r => r.RecordsRead).OrderDescending());
        Assert.Equal([OrdersPipeline.OverMax.Length, 0], stored.Select(r => r.DeadLettered).OrderDescending());
        await Screenshots.SaveAsync(page, "runs-list");
        await page.Context.CloseAsync();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
