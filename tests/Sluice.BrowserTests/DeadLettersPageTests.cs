using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>The dead-letter browser in Chromium: replaying a selection after fixing the contract, and a letter holding
/// a script shown as text.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeadLettersPageTests(Chromium chromium) : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    [Fact]
    public async Task Replaying_two_selected_letters_after_fixing_the_contract_writes_their_rows_and_removes_them()
    {
        await _orders.RunAsync(max: 100);
        Assert.Equal(OrdersPipeline.Rows - OrdersPipeline.OverMax.Length, JsonlOutput.Ids(_orders.Output).Count);
        // The fix: the pipeline file's contract now accepts amounts up to 1000, which every dead letter holds.
        await using var site = await DashboardSite.StartAsync(_orders.State, _orders.File(max: 1000));
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(site.Url("/dead-letters?pipeline=orders"));
        var rows = page.Locator("[data-testid='letters-table'] [data-testid='letter-row']");
        Assert.Equal(OrdersPipeline.OverMax.Length, await rows.CountAsync());

        var picked = new List<long>();
        for (int i = 0; i < 2; i++)
        {
            picked.Add(long.Parse((await rows.Nth(i).GetAttributeAsync("data-letter-id"))!));
            await rows.Nth(i).Locator("[data-testid='letter-select']").CheckAsync();
        }
        var letters = await _orders.StoreAsync(s => s.ListDeadLettersAsync(new DeadLetterQuery("orders")));
        // A letter's position is its line in the CSV file; the header is line 1, so order id N is on line N + 1.
        var pickedRows = letters.Where(d => picked.Contains(d.Id)).Select(d => long.Parse(d.Position!) - 1).ToList();
        Assert.Equal(2, pickedRows.Count);
        await Screenshots.SaveAsync(page, "dead-letters");

        await page.Locator("[data-testid='replay-selected']").ClickAsync();
        await page.WaitForURLAsync("**/dead-letters/confirm?**");
        Assert.Equal(1, await page.Locator("main[data-testid='page-confirm']").CountAsync());
        Assert.Equal("2", await page.Locator("[data-testid='confirm-count']").GetAttributeAsync("data-count"));
        await page.Locator("[data-testid='confirm']").ClickAsync();
        await page.WaitForURLAsync("**/dead-letters/replay");

        Assert.Equal(1, await page.Locator("main[data-testid='page-replayed']").CountAsync());
        Assert.Equal("2", await page.Locator("[data-testid='replayed']").GetAttributeAsync("data-count"));
        await page.GotoAsync(site.Url("/dead-letters?pipeline=orders"));
        Assert.Equal(OrdersPipeline.OverMax.Length - 2, await rows.CountAsync());
        foreach (long id in picked)
            Assert.Equal(0, await page.Locator($"[data-testid='letter-row'][data-letter-id='{id}']").CountAsync());
        var written = JsonlOutput.Ids(_orders.Output);
        Assert.Equal(OrdersPipeline.Rows - OrdersPipeline.OverMax.Length + 2, written.Count);
        Assert.All(pickedRows, id => Assert.Contains(id, written));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_letter_holding_a_script_shows_it_as_text_and_the_script_does_not_run()
    {
        await _orders.RunAsync();
        var letters = await _orders.StoreAsync(s => s.ListDeadLettersAsync(new DeadLetterQuery("orders")));
        long scripted = letters.Single(d => d.Position == "51").Id;
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(site.Url($"/dead-letters/{scripted}"));

        Assert.Equal(1, await page.Locator("main[data-testid='page-dead-letter']").CountAsync());
        Assert.Contains(OrdersPipeline.Script, await page.Locator("[data-testid='original']").TextContentAsync());
        Assert.Equal(0, await page.Locator("[data-testid='original'] script").CountAsync());
        Assert.Equal($"Dead letter {scripted} · Sluice", await page.TitleAsync());
        await Screenshots.SaveAsync(page, "dead-letter-script");
        await page.Context.CloseAsync();
    }
}
