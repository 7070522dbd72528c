using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Pages;

/// <summary>The dead-letter browser: letters newest first, filtered, a page at a time, with checkboxes to replay or
/// purge a selection (or every letter the filter matches) through a confirmation page.</summary>
internal static class DeadLettersPage
{
    public const int PageSize = 50;

    /// <summary>Characters of each letter's message the list shows; the letter's own page shows more.</summary>
    public const int MessageShown = 500;

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app)
    {
        LetterFilter filter;
        long? before = null;
        try
        {
            filter = LetterFilter.From(http.Request.Query);
            if (http.Request.Query["before"].FirstOrDefault() is { Length: > 0 } b)
                before = long.TryParse(b, out long id) && id > 0 ? id : throw new FormatException($"before takes a dead letter id, not '{b}'");
        }
        catch (FormatException e)
        {
            return Layout.Message(http, app, "Dead letters", e.Message, StatusCodes.Status400BadRequest);
        }
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Dead letters", "page-dead-letters");
        var page = await LetterQueries.ListAsync(store, filter.ToQuery(), before, PageSize, http.RequestAborted);
        return Layout.Page(http, app, "Dead letters", "dead-letters", "page-dead-letters", Body(app, filter, before, page));
    }

    private static Markup Body(DashboardApp app, LetterFilter filter, long? before, LetterQueries.Page page)
    {
        string prefix = app.Prefix;
        Markup Input(string name, string label, string? value, string type = "text") =>
            H.Of($"""<label>{label} <input type="{type}" name="{name}" value="{value}" data-testid="filter-{name}"></label>""");
        Markup Option(string value, string? current) =>
            H.Of($"""<option value="{value}"{(value == (current ?? "") ? new Markup(" selected") : Markup.Empty)}>{(value.Length == 0 ? "any reason" : value)}</option>""");
        var reasons = Markup.Join([Option("", filter.Reason), .. Enum.GetValues<DeadLetterReason>().Select(r => Option(r.Code(), filter.Reason))]);
        var form = H.Of($"""
            <form method="get" action="{prefix}/dead-letters" id="letter-filters" class="filters" data-testid="letter-filters">
            {Input("pipeline", "Pipeline", filter.Pipeline)}{Input("run", "Run", filter.Run)}
            <label>Reason <select name="reason" data-testid="filter-reason">{reasons}</select></label>
            {Input("stage", "Stage", filter.Stage)}{Input("field", "Field", filter.Field)}
            {Input("since", "Since (UTC)", LetterFilter.Format(filter.Since))}{Input("until", "Until (UTC)", LetterFilter.Format(filter.Until))}
            <button type="submit" data-testid="filter-apply">Filter</button>
            </form>
            """);
        var summary = page.Matching is { } matching
            ? H.Of($"""<p id="matching" data-testid="matching">{Show.Capped(matching, page.MatchingCapped)} {filter.Describe()}.</p>""")
            : H.Of($"""<p id="matching" data-testid="matching">{(page.Next is null ? Show.Count(page.Letters.Count) : "More than " + Show.Count(page.Letters.Count))} {filter.Describe()} (not all counted: it would take too long).</p>""");
        if (page.Letters.Count == 0)
            return H.Of($"""{form}{summary}<p id="no-letters" data-testid="no-letters">No dead letters{(before is null ? "" : " older than these")} match.</p>""");

        var rows = page.Letters.Select(d => H.Of($"""
            <tr data-testid="letter-row" data-letter-id="{d.Id}"><td><input type="checkbox" name="id" value="{d.Id}" aria-label="select letter {d.Id}" data-testid="letter-select"></td><td><a href="{prefix}/dead-letters/{d.Id}" data-testid="letter-link">{d.Id}</a></td><td>{Show.Utc(d.CreatedAt)}</td><td>{d.Pipeline}</td><td><a href="{prefix}/runs/{Layout.Escaped(d.RunId)}">{d.RunId}</a></td><td>{d.Stage}</td><td>{d.Reason.Code()}</td><td>{d.Field}</td><td>{d.Rule}</td><td>{Path.GetFileName(d.Input)}:{d.Position}</td><td class="n">{d.Attempts}</td><td class="message" data-testid="letter-message">{Show.Clip(Redact.Secrets(d.Message), MessageShown)}</td></tr>
            """));
        var hidden = Markup.Join(filter.Pairs().Select(p => H.Of($"""<input type="hidden" name="{p.Name}" value="{p.Value}">""")));
        var pairs = filter.Pairs().Select(p => (p.Name, (string?)p.Value)).ToList();
        Markup next = page.Next is { } n
            ? H.Of($"""<a id="next-page" data-testid="next-page" href="{prefix}/dead-letters{Layout.Query([.. pairs, ("before", n.ToString(System.Globalization.CultureInfo.InvariantCulture))])}">Older letters →</a>""")
            : Markup.Empty;
        Markup first = before is not null
            ? H.Of($"""<a id="first-page" data-testid="first-page" href="{prefix}/dead-letters{Layout.Query(pairs)}">← Newest</a> """)
            : Markup.Empty;
        return H.Of($"""
            {form}
            {summary}
            <form method="get" action="{prefix}/dead-letters/confirm" id="letter-selection" data-testid="letter-selection">
            {hidden}
            <table id="letters" data-testid="letters-table">
            <thead><tr><th></th><th>id</th><th>created (UTC)</th><th>pipeline</th><th>run</th><th>stage</th><th>reason</th><th>field</th><th>rule</th><th>origin</th><th class="n">attempts</th><th>message</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody>
            </table>
            <p class="actions">
            <button type="submit" name="do" value="replay-selected" data-testid="replay-selected">Replay selected…</button>
            <button type="submit" name="do" value="purge-selected" data-testid="purge-selected">Purge selected…</button>
            <button type="submit" name="do" value="replay-all" data-testid="replay-all">Replay all matching…</button>
            <button type="submit" name="do" value="purge-all" data-testid="purge-all">Purge all matching…</button>
            </p>
            </form>
            <p class="pager">{first}{next}</p>
            """);
    }
}
