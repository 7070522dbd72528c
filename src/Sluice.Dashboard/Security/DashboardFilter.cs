using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Sluice.Dashboard.Pages;

namespace Sluice.Dashboard.Security;

/// <summary>
/// Runs before every dashboard endpoint: sets the security headers, finds who is asking (or refuses: pages send
/// the browser to the login form, the API answers 401), checks the write role, and refuses a state-changing request
/// that another site could have made: a page form without a valid antiforgery token, or an API POST whose body is
/// not JSON (a cross-site HTML form cannot send application/json, and a script on another origin cannot either
/// without a CORS preflight, which the dashboard never grants).
/// </summary>
internal sealed class DashboardFilter(DashboardApp app) : IEndpointFilter
{
    public const string PrincipalKey = "Sluice.Dashboard.Principal";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        HttpContext http = invocation.HttpContext;
        SetHeaders(http.Response);
        var access = http.GetEndpoint()?.Metadata.GetMetadata<DashboardAccess>() ?? new DashboardAccess();
        bool post = HttpMethods.IsPost(http.Request.Method);

        if (!access.Anonymous)
        {
            DashboardPrincipal? principal = app.Security.Authenticate(http);
            if (principal is null)
                return Refuse(http, access);
            if (access.Write && !principal.CanWrite)
                return access.Api
                    ? Results.Json(new { error = "replay and purge need the write role" }, statusCode: StatusCodes.Status403Forbidden)
                    : Layout.Message(http, app, "Not allowed", "Replay and purge need the write role; you have read only.", StatusCodes.Status403Forbidden);
            http.Items[PrincipalKey] = principal;
        }
        else if (!app.Security.RequiresLogin && !DashboardSecurity.IsLocal(http))
        {
            return Refuse(http, access);
        }

        if (post && access.Api && !IsJson(http.Request))
            return Results.Json(new { error = "send the request body as application/json" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (post && !access.Api)
        {
            // Without this a POST with a valid antiforgery header but a JSON (or no) body reached ReadFormAsync,
            // which throws for a body that is not a form: a 500 instead of a refusal.
            if (!http.Request.HasFormContentType)
                return Layout.Message(http, app, "Form refused", "Send the form as the page's button does (application/x-www-form-urlencoded).",
                    StatusCodes.Status415UnsupportedMediaType);
            try
            {
                await app.Antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException e) when (e.InnerException is InvalidDataException)
            {
                // Antiforgery reads the form first, and wraps the form limits' refusal (a field over 4 MB, over 1,024
                // fields): that is not a forged form, and saying so sent people looking for the wrong problem.
                return Layout.Message(http, app, "Form refused", "The form is too large: a field over 4 MB, or too many fields.",
                    StatusCodes.Status413PayloadTooLarge);
            }
            catch (AntiforgeryValidationException)
            {
                return Layout.Message(http, app, "Form refused",
                    "The form had no valid antiforgery token: it came from another site, or from a page older than this dashboard's start. Reload the page and try again.",
                    StatusCodes.Status400BadRequest);
            }
        }
        try
        {
            return await next(invocation);
        }
        catch (StateFileException e)
        {
            // The state file is there but unusable (not SQLite, a newer schema): say which and why, with the headers,
            // instead of the server's empty 500.
            return access.Api
                ? Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status500InternalServerError)
                : Layout.Message(http, app, "State file unusable", e.Message, StatusCodes.Status500InternalServerError);
        }
    }

    private IResult Refuse(HttpContext http, DashboardAccess access)
    {
        if (!app.Security.RequiresLogin)
        {
            return access.Api
                ? Results.Json(new { error = "without authentication the dashboard answers only local requests" }, statusCode: StatusCodes.Status403Forbidden)
                : Layout.Message(http, app, "Not allowed", "Without authentication the dashboard answers only requests from this machine.", StatusCodes.Status403Forbidden);
        }
        if (access.Api)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new { error = "authentication required: Authorization: Bearer TOKEN, or log in" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        string back = http.Request.Path + http.Request.QueryString;
        return Results.Redirect($"{app.Prefix}/login?return={Uri.EscapeDataString(back)}");
    }

    private static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type && type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static void SetHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        // No script at all: every page is plain HTML and inline SVG; styles come from the dashboard's own stylesheet.
        headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }
}
