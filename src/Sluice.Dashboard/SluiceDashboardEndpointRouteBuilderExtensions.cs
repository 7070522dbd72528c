using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Dashboard;
using Sluice.Dashboard.Api;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Pages;
using Sluice.Dashboard.Security;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Sluice dashboard in an ASP.NET Core app, as Hangfire's dashboard is mounted.</summary>
public static class SluiceDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard's pages under <see cref="SluiceDashboardOptions.PathPrefix"/> and its JSON API under
    /// that prefix + <c>/api</c>. Needs the antiforgery services (<c>builder.Services.AddAntiforgery()</c>), which
    /// protect its forms. Without a token or users in <paramref name="options"/> it answers only loopback requests.
    /// </summary>
    /// <returns>The dashboard's route group, to add conventions (an authorization policy, rate limiting …).</returns>
    /// <exception cref="InvalidOperationException">Antiforgery is not registered, or the options are not usable.</exception>
    public static IEndpointConventionBuilder MapSluiceDashboard(this IEndpointRouteBuilder endpoints, SluiceDashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.StatePath))
            throw new InvalidOperationException("SluiceDashboardOptions.StatePath is required: the state file whose runs to show");
        if (options.Token is { } token && string.IsNullOrWhiteSpace(token))
            throw new InvalidOperationException("SluiceDashboardOptions.Token is empty: give a token, or null for none");
        var antiforgery = endpoints.ServiceProvider.GetService<IAntiforgery>()
            ?? throw new InvalidOperationException("MapSluiceDashboard needs antiforgery for its forms: call builder.Services.AddAntiforgery() first");
        string prefix = "/" + options.PathPrefix.Trim('/');
        prefix = prefix == "/" ? "" : prefix;
        var security = new DashboardSecurity(options, endpoints.ServiceProvider.GetRequiredService<IDataProtectionProvider>(), prefix.Length == 0 ? "/" : prefix);
        var app = new DashboardApp(options, prefix, security, antiforgery, new PipelineFiles(options.PipelineFiles, options.LoadPipeline));

        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(new DashboardFilter(app));
        var anonymous = new DashboardAccess(Anonymous: true);
        var write = new DashboardAccess(Write: true);

        group.MapRead("/", Handler.Of(http => RunsPage.HandleAsync(http, app)));
        group.MapRead("/runs/{id}", (HttpContext http, string id) => RunPage.HandleAsync(http, app, id));
        group.MapRead("/flows/{id}", (HttpContext http, string id) => FlowRunPage.HandleAsync(http, app, id));
        group.MapRead("/dead-letters", Handler.Of(http => DeadLettersPage.HandleAsync(http, app)));
        group.MapRead("/dead-letters/{id:long}", (HttpContext http, long id) => DeadLetterPage.HandleAsync(http, app, id));
        group.MapRead("/dead-letters/confirm", Handler.Of(http => LetterActionPages.ConfirmAsync(http, app)));
        group.MapPost("/dead-letters/replay", Handler.Of(http => LetterActionPages.ReplayAsync(http, app))).WithMetadata(write);
        group.MapPost("/dead-letters/purge", Handler.Of(http => LetterActionPages.PurgeAsync(http, app))).WithMetadata(write);
        group.MapRead("/charts", Handler.Of(http => ChartsPage.HandleAsync(http, app)));
        group.MapRead("/lineage", Handler.Of(http => LineagePage.HandleAsync(http, app)));
        group.MapRead("/alerts", Handler.Of(http => AlertsPage.HandleAsync(http, app)));
        group.MapRead("/login", Handler.Of(http => LoginPage.Render(http, app))).WithMetadata(anonymous);
        group.MapPost("/login", Handler.Of(http => LoginPage.LoginAsync(http, app))).WithMetadata(anonymous);
        group.MapPost("/logout", Handler.Of(http => LoginPage.Logout(http, app))).WithMetadata(anonymous);
        group.MapRead("/assets/dashboard.css", () => Results.Stream(Stylesheet(), "text/css; charset=utf-8")).WithMetadata(anonymous);
        ApiEndpoints.Map(group.MapGroup("/api"), app);
        // A path no endpoint takes (or whose constraint fails: /dead-letters/abc, a wrong method) would get the
        // framework's bare 404/405, which never passes the filter and so went out without the security headers.
        group.Map("/{**rest}", Handler.Of(http => Layout.Message(http, app, "Not found",
            $"No page at {http.Request.Method} {http.Request.Path}.", StatusCodes.Status404NotFound)));
        return group;
    }

    private static Stream Stylesheet() =>
        typeof(SluiceDashboardOptions).Assembly.GetManifestResourceStream("Sluice.Dashboard.dashboard.css")
        ?? throw new InvalidOperationException("the dashboard's stylesheet is missing from its assembly");
}
