using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Security;

namespace Sluice.Dashboard.Pages;

/// <summary>The frame of every page: title, navigation, who is logged in, and the page's own markup.</summary>
internal static class Layout
{
    /// <param name="section">The navigation item this page belongs to (shown as current).</param>
    /// <param name="testId">The page's <c>data-testid</c> on &lt;main&gt;, for browser tests.</param>
    /// <param name="refreshSeconds">Reload the page this often (a running run): live progress without script.</param>
    public static IResult Page(HttpContext http, DashboardApp app, string title, string section, string testId, Markup body,
        int? refreshSeconds = null, int statusCode = StatusCodes.Status200OK)
    {
        string prefix = app.Prefix;
        var nav = Markup.Join(Navigation.Items.Select(item => H.Of(
            $"""<a href="{prefix}{item.Path}" id="nav-{item.Id}" data-testid="nav-{item.Id}"{(item.Id == section ? new Markup(" aria-current=\"page\"") : Markup.Empty)}>{item.Label}</a>""")));
        Markup who = Markup.Empty;
        if (http.Items[DashboardFilter.PrincipalKey] is DashboardPrincipal principal && app.Security.RequiresLogin)
        {
            who = H.Of($"""
                <form method="post" action="{prefix}/logout" class="who" id="logout">{AntiforgeryField(http, app)}<span data-testid="user">{principal.Name} ({principal.Role.ToString().ToLowerInvariant()})</span> <button type="submit" data-testid="logout">Log out</button></form>
                """);
        }
        Markup refresh = refreshSeconds is { } s ? H.Of($"""<meta http-equiv="refresh" content="{s}">""") : Markup.Empty;
        var page = H.Of($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            {refresh}<title>{title} · Sluice</title>
            <link rel="stylesheet" href="{prefix}/assets/dashboard.css">
            </head>
            <body>
            <header><span class="brand">Sluice</span><nav id="nav" data-testid="nav">{nav}</nav>{who}</header>
            <main id="main" data-testid="{testId}">
            <h1 id="title" data-testid="title">{title}</h1>
            {body}
            </main>
            </body>
            </html>
            """);
        return Results.Text(page.Value, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    /// <summary>A page that only says something (a refusal, a missing run).</summary>
    public static IResult Message(HttpContext http, DashboardApp app, string title, string message, int statusCode) =>
        Page(http, app, title, "", "page-message", H.Of($"""<p id="message" data-testid="message">{message}</p>"""), statusCode: statusCode);

    /// <summary>The hidden antiforgery field every POST form carries (its cookie is set on the same response).</summary>
    public static Markup AntiforgeryField(HttpContext http, DashboardApp app)
    {
        var tokens = app.Antiforgery.GetAndStoreTokens(http);
        return H.Of($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""");
    }

    /// <summary>A query string from name/value pairs (unset values left out), starting with '?' when not empty.</summary>
    public static string Query(IEnumerable<(string Name, string? Value)> pairs)
    {
        var set = pairs.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join("&", set);
    }

    public static string Escaped(string segment) => Uri.EscapeDataString(segment);
}
