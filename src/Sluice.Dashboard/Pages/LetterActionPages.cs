using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Security;

namespace Sluice.Dashboard.Pages;

/// <summary>Replay and purge from the browser: a confirmation page (GET: it changes nothing) that says how many
/// letters and which, whose button POSTs the same selection with an antiforgery token; then the outcome.</summary>
internal static class LetterActionPages
{
    public static async Task<IResult> ConfirmAsync(HttpContext http, DashboardApp app)
    {
        string action = http.Request.Query["do"].FirstOrDefault() ?? "";
        bool replay = action.StartsWith("replay", StringComparison.Ordinal);
        if (action is not ("replay-selected" or "purge-selected" or "replay-all" or "purge-all"))
            return Layout.Message(http, app, "Nothing to do", "Choose replay or purge on the dead-letter page.", StatusCodes.Status400BadRequest);
        string title = replay ? "Replay dead letters" : "Purge dead letters";
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, title, "page-confirm");
        Selection selection;
        try
        {
            selection = Selection.From(name => http.Request.Query[name].Where(v => v is not null).ToList()!, all: action.EndsWith("-all", StringComparison.Ordinal));
        }
        catch (FormatException e)
        {
            return Layout.Message(http, app, title, e.Message, StatusCodes.Status400BadRequest);
        }
        if (selection.Ids is null)
            selection = selection with { Through = await LetterQueries.NewestIdAsync(store, http.RequestAborted) };
        long count = await store.CountDeadLettersAsync(selection.Query, http.RequestAborted);

        Markup problem = Markup.Empty;
        if (replay)
        {
            var (pipeline, why) = await LetterActions.PipelineOfAsync(store, selection, http.RequestAborted);
            why ??= app.Pipelines.FileOf(pipeline!) is null ? LetterActions.NoFile(pipeline!) : null;
            if (why is not null)
                problem = H.Of($"""<p id="problem" class="error" data-testid="problem">Cannot replay: {why}.</p>""");
        }
        if (http.Items[DashboardFilter.PrincipalKey] is DashboardPrincipal { CanWrite: false })
            problem = H.Of($"""<p id="problem" class="error" data-testid="problem">Replay and purge need the write role; you have read only.</p>""");
        if (count == 0)
            problem = H.Of($"""<p id="problem" data-testid="problem">No dead letter matches any more: nothing to do.</p>""");

        string verb = replay ? "Replay" : "Purge";
        string what = replay
            ? "Each is run again through the pipeline's file as it is now, from the stage that rejected it: those that pass are written once and leave the queue; the others stay, one attempt more."
            : "They are deleted for good; their records are not written anywhere.";
        var hidden = Markup.Join(selection.Pairs().Select(p => H.Of($"""<input type="hidden" name="{p.Name}" value="{p.Value}">""")));
        Markup form = problem == Markup.Empty
            ? H.Of($"""
                <form method="post" action="{app.Prefix}/dead-letters/{(replay ? "replay" : "purge")}" id="confirm-form" data-testid="confirm-form">
                {Layout.AntiforgeryField(http, app)}{hidden}
                <button type="submit" data-testid="confirm">{verb} {Show.Count(count)} dead letter{(count == 1 ? "" : "s")}</button>
                <a href="{app.Prefix}/dead-letters" data-testid="cancel">Cancel</a>
                </form>
                """)
            : problem;
        var body = H.Of($"""
            <p id="confirm-count" data-testid="confirm-count" data-count="{count}">{verb} {Show.Count(count)} dead letter{(count == 1 ? "" : "s")}: {selection.Describe()}.</p>
            <p>{what}</p>
            {form}
            """);
        return Layout.Page(http, app, title, "dead-letters", "page-confirm", body);
    }

    public static async Task<IResult> PurgeAsync(HttpContext http, DashboardApp app)
    {
        var (store, selection, refusal) = await SelectionFromFormAsync(http, app, "Purge dead letters");
        if (refusal is not null)
            return refusal;
        long purged = await LetterActions.PurgeAsync(store!, selection!, http.RequestAborted);
        return Layout.Page(http, app, "Purged", "dead-letters", "page-purged", H.Of($"""
            <p id="purged" data-testid="purged" data-count="{purged}">Purged {Show.Count(purged)} dead letter{(purged == 1 ? "" : "s")} ({selection!.Describe()}).</p>
            <p><a href="{app.Prefix}/dead-letters" data-testid="back">Back to the dead letters</a></p>
            """));
    }

    public static async Task<IResult> ReplayAsync(HttpContext http, DashboardApp app)
    {
        var (store, selection, refusal) = await SelectionFromFormAsync(http, app, "Replay dead letters");
        if (refusal is not null)
            return refusal;
        var result = await LetterActions.ReplayAsync(http, app, store!, selection!);
        if (result.Outcome is not { } outcome)
            return Layout.Message(http, app, "Replay dead letters", $"Cannot replay: {result.Problem}.", result.StatusCode);
        var rows = outcome.Runs.Select(r => H.Of($"""
            <tr data-testid="replay-run"><td><a href="{app.Prefix}/runs/{Layout.Escaped(r.Run.Id)}">{r.Run.Id}</a></td><td>{Show.State(r.Run.State)}</td><td class="n" data-testid="replay-written">{r.Run.RecordsWritten}</td><td class="n" data-testid="replay-dead">{r.Run.DeadLettered}</td><td class="n">{r.Run.Filtered}</td><td>{Redact.Secrets(r.Error)}</td></tr>
            """));
        string verdict = outcome.Selected == 0 ? "No dead letter matched; nothing replayed."
            : outcome.Succeeded ? "The replay succeeded." : "The replay did not finish: the letters it did not cover are still in the queue; replay again.";
        return Layout.Page(http, app, "Replayed", "dead-letters", "page-replayed", H.Of($"""
            <p id="replayed" data-testid="replayed" data-count="{outcome.Selected}">Replayed {Show.Count(outcome.Selected)} dead letters of pipeline {result.Pipeline} in {outcome.Runs.Count} run{(outcome.Runs.Count == 1 ? "" : "s")}. {verdict}</p>
            <table data-testid="replay-runs"><thead><tr><th>replay run</th><th>state</th><th class="n">written</th><th class="n">dead-lettered again</th><th class="n">filtered</th><th>error</th></tr></thead>
            <tbody>{Markup.Join(rows)}</tbody></table>
            <p><a href="{app.Prefix}/dead-letters{Layout.Query([("pipeline", result.Pipeline)])}" data-testid="back">Back to the dead letters</a></p>
            """));
    }

    private static async Task<(SqliteStateStore? Store, Selection? Selection, IResult? Refusal)> SelectionFromFormAsync(HttpContext http, DashboardApp app, string title)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return (null, null, RunsPage.NoState(http, app, title, "page-message"));
        try
        {
            // The confirmation form carries either ids or a filter with its "through" bound, never both.
            bool all = form["id"].Count == 0;
            return (store, Selection.From(name => form[name].Where(v => v is not null).ToList()!, all), null);
        }
        catch (FormatException e)
        {
            return (null, null, Layout.Message(http, app, title, e.Message, StatusCodes.Status400BadRequest));
        }
    }
}
