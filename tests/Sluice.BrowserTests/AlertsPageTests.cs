using Sluice.Alerts;
using Sluice.BrowserTests.TestSupport;

namespace Sluice.BrowserTests;

/// <summary>The alerts page in Chromium over a freshness miss the engine's alert monitor found in a real run, recorded
/// and sent to a real webhook.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AlertsPageTests(Chromium chromium) : IDisposable
{
    private readonly OrdersPipeline _orders = new();
    private readonly WebhookReceiver _webhook = new();

    public void Dispose()
    {
        _webhook.Dispose();
        _orders.Dispose();
    }

    [Fact]
    public async Task A_freshness_miss_shows_with_its_pipeline_kind_promise_and_delivery()
    {
        var outcome = await _orders.RunAsync();
        // The file promises data no older than 1h; the webhook comes from outside it, as sluice serve gives a flow's
        // to a pipeline without alerts: of its own.
        var promise = PipelineFile.Load(_orders.File(max: 100)).Alerts;
        Assert.Equal(TimeSpan.FromHours(1), promise.Freshness);
        var target = new AlertTarget(AlertSubjectKind.Pipeline, "orders", promise with { Webhook = new AlertWebhook(new Uri(_webhook.Url), new Dictionary<string, string>()) });
        // Judged two hours after the run ended, when its newest committed data are more than an hour old.
        var clock = new FixedClock(outcome.Run.EndedAt!.Value + TimeSpan.FromHours(2));
        AlertRecord miss;
        await using (var store = await SqliteStateStore.OpenAsync(_orders.State))
            miss = Assert.Single(await new AlertMonitor(store, [target], new AlertMonitorOptions { Time = clock }).CheckAsync(CancellationToken.None));
        Assert.Equal(miss.Key, Assert.Single(_webhook.Accepted).IdempotencyKey);
        await using var site = await DashboardSite.StartAsync(_orders.State);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(site.Url("/alerts"));

        Assert.Equal(1, await page.Locator("main[data-testid='page-alerts']").CountAsync());
        var row = page.Locator("[data-testid='alerts-table'] [data-testid='alert-row']");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal(miss.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.GetAttributeAsync("data-alert-id"));
        Assert.Equal("sent", await row.GetAttributeAsync("data-delivery"));
        // id, of, subject, kind, promise, then times, detail and the webhook's state.
        var cells = await row.Locator("td").AllTextContentsAsync();
        Assert.Equal(["pipeline", "orders", "freshness", "1h"], cells.Skip(1).Take(4));
        // Due an hour (the promise) after the newest data, both in UTC to the second.
        Assert.Equal(TimeSpan.FromHours(1), Utc(cells[5]) - Utc(cells[6]));
        Assert.Equal(miss.ObservedAt!.Value.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), cells[6]);
        Assert.StartsWith("pipeline 'orders' is stale: its newest data", await row.Locator("[data-testid='alert-detail']").TextContentAsync());
        Assert.StartsWith("sent ", await row.Locator("[data-testid='alert-sent']").TextContentAsync());
        await Screenshots.SaveAsync(page, "alerts");
        await page.Context.CloseAsync();
    }

    private static DateTime Utc(string shown) =>
        DateTime.ParseExact(shown, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A clock stopped at one moment: the monitor judges the run as if that much time had passed.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
