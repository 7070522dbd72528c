using Microsoft.AspNetCore.Http;
using Sluice.Alerts;
using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Pages;

/// <summary>The recorded freshness and SLA misses, newest first, a page at a time by id, with whether each reached
/// the webhook: sent, still pending (attempts and the last error), or never to be sent (no webhook).</summary>
internal static class AlertsPage
{
    public const int DefaultLimit = 50, MaxLimit = 500;

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app)
    {
        if (!TryQuery(http.Request.Query, out var query, out string? problem))
            return Layout.Message(http, app, "Alerts", problem!, StatusCodes.Status400BadRequest);
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Alerts", "page-alerts");
        var alerts = await store.ListAlertsAsync(query with { Limit = query.Limit + 1 }, http.RequestAborted);
        long? next = alerts.Count > query.Limit ? alerts[query.Limit - 1].Id : null;
        return Layout.Page(http, app, "Alerts", "alerts", "page-alerts", Body(app, query, [.. alerts.Take(query.Limit)], next));
    }

    /// <summary>subject, kind (pipeline or flow), before (an id) and limit from a query string.</summary>
    internal static bool TryQuery(IQueryCollection q, out AlertQuery query, out string? problem)
    {
        string? Get(string name) => q[name].FirstOrDefault() is { Length: > 0 } v ? v.Trim() : null;
        query = new AlertQuery { Subject = Get("subject"), Limit = DefaultLimit };
        problem = null;
        if (Get("kind") is { } kind)
        {
            if (!Enum.TryParse<AlertSubjectKind>(kind, ignoreCase: true, out var k) || !Enum.IsDefined(k) || kind.Any(char.IsDigit))
            {
                problem = $"kind is pipeline or flow, not '{kind}'";
                return false;
            }
            query = query with { SubjectKind = k };
        }
        if (Get("before") is { } before)
        {
            if (!long.TryParse(before, out long id) || id < 1)
            {
                problem = $"before takes an alert id, not '{before}'";
                return false;
            }
            query = query with { BeforeId = id };
        }
        if (Get("limit") is { } limit)
        {
            if (!int.TryParse(limit, out int n) || n is < 1 or > MaxLimit)
            {
                problem = $"limit takes a number from 1 to {MaxLimit}, not '{limit}'";
                return false;
            }
            query = query with { Limit = n };
        }
        return true;
    }

    /// <summary>Where a miss stands with the webhook, as one word: sent, pending, or unsent (no webhook).</summary>
    internal static string Delivery(AlertRecord alert) =>
        alert.SentAt is not null ? "sent" : alert.NextAttemptAt is not null ? "pending" : "no-webhook";

    private static Markup Body(DashboardApp app, AlertQuery query, IReadOnlyList<AlertRecord> alerts, long? next)
    {
        string? kind = query.SubjectKind?.ToString().ToLowerInvariant();
        var rows = alerts.Select(a => H.Of($"""
            <tr data-testid="alert-row" data-alert-id="{a.Id}" data-delivery="{Delivery(a)}"><td>{a.Id}</td><td>{a.SubjectKind.ToString().ToLowerInvariant()}</td><td><a href="{app.Prefix}/alerts{Layout.Query([("subject", a.Subject)])}" data-testid="alert-subject">{a.Subject}</a></td><td>{a.Kind.ToString().ToLowerInvariant()}</td><td>{a.Expected}</td><td>{Show.Utc(a.DueAt)}</td><td>{Show.Utc(a.ObservedAt)}</td><td>{Show.Utc(a.DetectedAt)}</td><td class="message" data-testid="alert-detail">{a.Detail}</td><td data-testid="alert-sent">{State(a)}</td></tr>
            """));
        Markup nextLink = next is { } n
            ? H.Of($"""<a href="{app.Prefix}/alerts{Layout.Query([("subject", query.Subject), ("kind", kind), ("before", n.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("limit", query.Limit == DefaultLimit ? null : query.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))])}" id="next-page" data-testid="next-page">Older →</a>""")
            : Markup.Empty;
        Markup first = query.BeforeId is null ? Markup.Empty : H.Of($"""<a href="{app.Prefix}/alerts{Layout.Query([("subject", query.Subject), ("kind", kind)])}" data-testid="first-page">← Newest</a>""");
        Markup list = alerts.Count == 0
            ? H.Of($"""<p id="no-alerts" data-testid="no-alerts">No misses recorded{(query.Subject is null ? "" : " for " + query.Subject)}.</p>""")
            : H.Of($"""
                <table id="alerts" data-testid="alerts-table">
                <thead><tr><th>id</th><th>of</th><th>subject</th><th>kind</th><th>promise</th><th>due (UTC)</th><th>newest data / last success</th><th>detected</th><th>detail</th><th>webhook</th></tr></thead>
                <tbody>{Markup.Join(rows)}</tbody>
                </table>
                """);
        return H.Of($"""
            <form method="get" action="{app.Prefix}/alerts" id="alert-filters" class="filters" data-testid="alert-filters">
            <label>Subject <input name="subject" value="{query.Subject}" data-testid="filter-subject"></label>
            <label>Of <select name="kind" data-testid="filter-kind"><option value="">pipelines and flows</option><option value="pipeline"{Selected(kind == "pipeline")}>pipelines</option><option value="flow"{Selected(kind == "flow")}>flows</option></select></label>
            <button type="submit">Filter</button>
            </form>
            <p>Freshness and SLA misses as <code>sluice serve</code> and <code>sluice alerts check</code> recorded them, newest first.</p>
            {list}
            <p class="pager">{first}{nextLink}</p>
            """);
    }

    private static Markup Selected(bool selected) => selected ? new Markup(" selected") : Markup.Empty;

    private static Markup State(AlertRecord a) => Delivery(a) switch
    {
        "sent" => H.Of($"""<span class="state state-succeeded">sent</span> {Show.Utc(a.SentAt)}"""),
        "pending" => H.Of($"""<span class="state state-running">pending</span> attempts {a.Attempts}{(a.LastError is null ? "" : "; last error: " + Show.Clip(Redact.Secrets(a.LastError), Show.ErrorShown))}; next {Show.Utc(a.NextAttemptAt)}"""),
        _ => H.Of($"""<span class="state">no webhook</span>"""),
    };
}
