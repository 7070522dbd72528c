using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Pages;

/// <summary>The login form (a token, or a user and password) and logout. A successful login sets an HttpOnly,
/// SameSite=Strict cookie and goes back to the page that asked for it.</summary>
internal static class LoginPage
{
    public static IResult Render(HttpContext http, DashboardApp app, string? problem = null, int statusCode = StatusCodes.Status200OK)
    {
        if (!app.Security.RequiresLogin)
            return Results.Redirect($"{app.Prefix}/");
        string back = SafeReturn(app, http.Request.Query["return"].FirstOrDefault() ?? http.Request.Form()?["return"].FirstOrDefault());
        Markup error = problem is null ? Markup.Empty : H.Of($"""<p class="error" id="login-error" data-testid="login-error">{problem}</p>""");
        Markup token = app.Options.Token is null ? Markup.Empty : H.Of($"""
            <fieldset><legend>With the token</legend><label>Token <input type="password" name="token" autocomplete="off" data-testid="login-token"></label></fieldset>
            """);
        Markup user = app.Options.Users.Count == 0 ? Markup.Empty : H.Of($"""
            <fieldset><legend>As a user</legend><label>User <input name="user" autocomplete="username" data-testid="login-user"></label>
            <label>Password <input type="password" name="password" autocomplete="current-password" data-testid="login-password"></label></fieldset>
            """);
        return Layout.Page(http, app, "Log in", "", "page-login", H.Of($"""
            {error}
            <form method="post" action="{app.Prefix}/login" id="login-form" data-testid="login-form">
            {Layout.AntiforgeryField(http, app)}<input type="hidden" name="return" value="{back}">
            {token}{user}
            <button type="submit" data-testid="login-submit">Log in</button>
            </form>
            """), statusCode: statusCode);
    }

    public static async Task<IResult> LoginAsync(HttpContext http, DashboardApp app)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var principal = app.Security.Login(form["token"].FirstOrDefault(), form["user"].FirstOrDefault(), form["password"].FirstOrDefault());
        if (principal is null)
            return Render(http, app, "That token, or that user and password, is not right.", StatusCodes.Status401Unauthorized);
        app.Security.SignIn(http, principal);
        return Results.Redirect(SafeReturn(app, form["return"].FirstOrDefault()));
    }

    public static IResult Logout(HttpContext http, DashboardApp app)
    {
        app.Security.SignOut(http);
        return Results.Redirect($"{app.Prefix}/login");
    }

    /// <summary>Only a path inside the dashboard: a return address on another site (or <c>//host</c>) would make the
    /// login form an open redirect. Only printable ASCII, as the dashboard's own return addresses are (escaped):
    /// browsers drop tabs and newlines from a Location, so <c>/\t/evil.example</c> went to evil.example, and a
    /// non-ASCII or newline Location is a header Kestrel will not send (a 500).</summary>
    private static string SafeReturn(DashboardApp app, string? back) =>
        back is { Length: > 0 } && back.StartsWith(app.Prefix + "/", StringComparison.Ordinal) && !back.StartsWith("//", StringComparison.Ordinal)
            && back.All(c => c is > ' ' and <= '~' and not '\\')
            ? back
            : $"{app.Prefix}/";

    private static IFormCollection? Form(this HttpRequest request) => request.HasFormContentType ? request.Form : null;
}
