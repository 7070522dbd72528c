using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;
using Sluice.DeadLetters;

namespace Sluice.Dashboard.Pages;

/// <summary>One dead letter: every field, and its original bytes as escaped text (and as hex when they are not
/// UTF-8). The bytes are encoded like all text, so a letter holding a script shows the script.</summary>
internal static class DeadLetterPage
{
    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app, long id)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Dead letter", "page-dead-letter");
        if (await store.GetDeadLetterAsync(id, http.RequestAborted) is not { } d)
            return Layout.Message(http, app, "Dead letter not found", $"No dead letter has the id {id}.", StatusCodes.Status404NotFound);
        string prefix = app.Prefix;
        Markup hex = OriginalBytes.IsValidUtf8(d.Original)
            ? Markup.Empty
            : H.Of($"""<h2>Not valid UTF-8; hex</h2><pre id="original-hex" data-testid="original-hex">{OriginalBytes.HexDump(d.Original)}</pre>""");
        var body = H.Of($"""
            <dl class="facts" id="letter-facts" data-testid="letter-facts">
            <dt>id</dt><dd>{d.Id}</dd>
            <dt>pipeline</dt><dd>{d.Pipeline}</dd>
            <dt>run</dt><dd><a href="{prefix}/runs/{Layout.Escaped(d.RunId)}" data-testid="letter-run">{d.RunId}</a></dd>
            <dt>stage</dt><dd data-testid="letter-stage">{d.Stage}</dd>
            <dt>reason</dt><dd data-testid="letter-reason">{d.Reason.Code()}</dd>
            <dt>field</dt><dd>{d.Field}</dd>
            <dt>rule</dt><dd>{d.Rule}</dd>
            <dt>input</dt><dd>{d.Input}</dd>
            <dt>position</dt><dd>{d.Position}</dd>
            <dt>created (UTC)</dt><dd>{Show.Utc(d.CreatedAt)}</dd>
            <dt>attempts</dt><dd>{d.Attempts}</dd>
            <dt>message</dt><dd data-testid="letter-message">{Redact.Secrets(d.Message)}</dd>
            </dl>
            <h2>Original ({Show.Count(d.Original.Length)} bytes)</h2>
            <pre id="original" data-testid="original">{OriginalBytes.Escape(d.Original)}</pre>
            {hex}
            <form method="get" action="{prefix}/dead-letters/confirm" class="actions" id="letter-actions">
            <input type="hidden" name="id" value="{d.Id}">
            <button type="submit" name="do" value="replay-selected" data-testid="replay-letter">Replay this letter…</button>
            <button type="submit" name="do" value="purge-selected" data-testid="purge-letter">Purge this letter…</button>
            </form>
            """);
        return Layout.Page(http, app, $"Dead letter {d.Id}", "dead-letters", "page-dead-letter", body);
    }
}
