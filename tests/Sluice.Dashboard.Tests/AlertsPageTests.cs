using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Alerts;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>The alerts page over misses recorded through the alerts store as the monitor records them: newest first,
/// each with where it stands with the webhook, filtered by subject and paged by id.</summary>
public sealed partial class AlertsPageTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    private static AlertMiss Miss(string subject, string key, AlertKind kind = AlertKind.Sla) => new(
        AlertSubjectKind.Pipeline, subject, kind, key, kind == AlertKind.Sla ? "06:00 UTC" : "2h", Now.AddHours(-1), null,
        $"{subject} missed its promise <b>by an hour</b>");

    /// <summary>Three misses: one with no webhook, one whose request failed, one the webhook accepted.</summary>
    private async Task<(long NoWebhook, long Pending, long Sent)> RecordAsync()
    {
        await _orders.RunAsync(); // a real state file
        await using var store = await SqliteStateStore.OpenAsync(_orders.State);
        var alerts = new AlertStore(store);
        var (quiet, _) = await alerts.RecordAsync(Miss("orders", "sla:orders:2026-01-08"), send: false, Now, CancellationToken.None);
        var (failing, _) = await alerts.RecordAsync(Miss("orders", "sla:orders:2026-01-09"), send: true, Now, CancellationToken.None);
        Assert.True(await alerts.ClaimAsync(failing.Id, Now, Now.AddMinutes(1), CancellationToken.None));
        Assert.True(await alerts.MarkFailedAsync(failing.Id, "503 Service Unavailable <i>", Now.AddMinutes(5), CancellationToken.None));
        var (sent, _) = await alerts.RecordAsync(Miss("billing", "freshness:billing:1", AlertKind.Freshness), send: true, Now, CancellationToken.None);
        Assert.True(await alerts.ClaimAsync(sent.Id, Now, Now.AddMinutes(1), CancellationToken.None));
        Assert.True(await alerts.MarkSentAsync(sent.Id, Now, CancellationToken.None));
        return (quiet.Id, failing.Id, sent.Id);
    }

    [Fact]
    public async Task The_alerts_page_lists_misses_newest_first_with_their_delivery()
    {
        var (quiet, pending, sent) = await RecordAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        string page = await host.PageAsync("/sluice/alerts");

        Assert.Contains("data-testid=\"page-alerts\"", page);
        Assert.Contains("data-testid=\"nav-alerts\" aria-current=\"page\"", page);
        Assert.Contains("data-testid=\"alerts-table\"", page);
        var rows = AlertRow().Matches(page).ToDictionary(m => long.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Value);
        Assert.Equal([sent, pending, quiet], rows.Keys);
        Assert.Contains("data-delivery=\"sent\"", rows[sent]);
        Assert.Matches("data-testid=\"alert-sent\"><span[^>]*>sent</span> 2026-01-10 07:00", rows[sent]);
        Assert.Contains("data-delivery=\"pending\"", rows[pending]);
        Assert.Contains(">pending</span> attempts 1; last error: 503 Service Unavailable &lt;i&gt;; next 2026-01-10 07:05", rows[pending]);
        Assert.Contains("data-delivery=\"no-webhook\"", rows[quiet]);
        Assert.Contains(">no webhook</span>", rows[quiet]);
        Assert.Contains("orders missed its promise &lt;b&gt;by an hour&lt;/b&gt;", page);
        Assert.DoesNotContain("<b>", page);
        Assert.DoesNotContain("<i>", page);
    }

    [Fact]
    public async Task Alerts_are_filtered_by_subject_and_paged_by_id_on_the_page_and_in_the_api()
    {
        var (quiet, pending, sent) = await RecordAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        string orders = await host.PageAsync("/sluice/alerts?subject=orders&limit=1");
        Assert.Equal([pending], AlertRow().Matches(orders).Select(m => long.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        string next = WebUtility.HtmlDecode(NextLink().Match(orders).Groups[1].Value);
        Assert.Equal($"/sluice/alerts?subject=orders&before={pending}&limit=1", next);
        string older = await host.PageAsync(next);
        Assert.Equal([quiet], AlertRow().Matches(older).Select(m => long.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.DoesNotContain("data-testid=\"next-page\"", older);
        Assert.Contains("data-testid=\"no-alerts\"", await host.PageAsync("/sluice/alerts?subject=nobody"));
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/sluice/alerts?before=x")).StatusCode);

        using var json = JsonDocument.Parse(await host.PageAsync("/sluice/api/alerts?limit=2"));
        var alerts = json.RootElement.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal([sent, pending], alerts.Select(a => a.GetProperty("id").GetInt64()));
        Assert.Equal(["sent", "pending"], alerts.Select(a => a.GetProperty("delivery").GetString()));
        Assert.Equal("503 Service Unavailable <i>", alerts[1].GetProperty("lastError").GetString());
        Assert.Equal(1, alerts[1].GetProperty("attempts").GetInt32());
        Assert.Equal(pending, json.RootElement.GetProperty("next").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/sluice/api/alerts?kind=job")).StatusCode);
    }

    [GeneratedRegex("<tr data-testid=\"alert-row\" data-alert-id=\"(?<id>\\d+)\".*?</tr>", RegexOptions.Singleline)]
    private static partial Regex AlertRow();

    [GeneratedRegex("href=\"([^\"]*)\" id=\"next-page\"")]
    private static partial Regex NextLink();
}
