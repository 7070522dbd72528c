using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;
using Sluice.DeadLetters;

namespace Sluice.Dashboard.Pages;

/// <summary>One dead letter: every field, and its original bytes as escaped text (and as hex when they are not
/// UTF-8). The bytes are encoded like all text, so a letter holding a script shows the script.</summary>
internal static class DeadLetterPage
{
    // An original can be megabytes (a whole unparseable file, a binary blob): the page shows its start, bounded so a
    // browser opens it at once, and says where the rest is. Hex takes about five characters a byte, so less of it.
    internal const int TextShown = 64 * 1024, HexShown = 4 * 1024;

    /// <summary>The first <paramref name="max"/> bytes, cut back to a character boundary when the bytes are UTF-8, so
    /// cutting does not make valid text look broken (a stray \xe2 at the end).</summary>
    internal static ReadOnlySpan<byte> Head(byte[] bytes, int max, bool utf8)
    {
        if (bytes.Length <= max)
            return bytes;
        int cut = max;
        while (utf8 && cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            cut--;
        return bytes.AsSpan(0, cut);
    }

    public static async Task<IResult> HandleAsync(HttpContext http, DashboardApp app, long id)
    {
        var store = await app.State.StoreAsync(http.RequestAborted);
        if (store is null)
            return RunsPage.NoState(http, app, "Dead letter", "page-dead-letter");
        if (await store.GetDeadLetterAsync(id, http.RequestAborted) is not { } d)
            return Layout.Message(http, app, "Dead letter not found", $"No dead letter has the id {id}.", StatusCodes.Status404NotFound);
        string prefix = app.Prefix;
        bool utf8 = OriginalBytes.IsValidUtf8(d.Original);
        ReadOnlySpan<byte> shown = Head(d.Original, TextShown, utf8);
        Markup hex = utf8
            ? Markup.Empty
            : H.Of($"""<h2>Not valid UTF-8; hex</h2><pre id="original-hex" data-testid="original-hex">{OriginalBytes.HexDump(d.Original.AsSpan(0, Math.Min(HexShown, d.Original.Length)))}</pre>""");
        Markup truncated = shown.Length < d.Original.Length || (!utf8 && d.Original.Length > HexShown)
            ? H.Of($"""<p class="note" id="original-truncated" data-testid="original-truncated">Shown: the first {Show.Count(shown.Length)} bytes as text{(utf8 ? "" : $" and the first {Show.Count(Math.Min(HexShown, d.Original.Length))} in hex")}. All of them: <a href="{prefix}/api/dead-letters/{d.Id}">the API</a> (originalBase64).</p>""")
            : Markup.Empty;
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
            <dt>message</dt><dd data-testid="letter-message">{Show.Clip(Redact.Secrets(d.Message), TextShown)}</dd>
            </dl>
            <h2>Original ({Show.Count(d.Original.Length)} bytes)</h2>
            <pre id="original" data-testid="original">{OriginalBytes.Escape(shown)}</pre>
            {hex}
            {truncated}
            <form method="get" action="{prefix}/dead-letters/confirm" class="actions" id="letter-actions">
            <input type="hidden" name="id" value="{d.Id}">
            <button type="submit" name="do" value="replay-selected" data-testid="replay-letter">Replay this letter…</button>
            <button type="submit" name="do" value="purge-selected" data-testid="purge-letter">Purge this letter…</button>
            </form>
            """);
        return Layout.Page(http, app, $"Dead letter {d.Id}", "dead-letters", "page-dead-letter", body);
    }
}
