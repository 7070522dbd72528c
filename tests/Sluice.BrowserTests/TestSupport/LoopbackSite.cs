using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>Kestrel on 127.0.0.1 and a port the kernel picks (port 0, so two test runs never race for one): what
/// every site of these tests is served by — the dashboard (<see cref="DashboardSite"/>), the API two pipelines share
/// (<see cref="OrdersApi"/>), fixed pages for the browser machinery itself.</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSite(WebApplication app, string root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>The site's root without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Root { get; }

    public string Url(string path) => Root + path;

    /// <summary>Starts a site whose endpoints <paramref name="map"/> maps, with the services <paramref name="services"/> adds.</summary>
    public static async Task<LoopbackSite> StartAsync(Action<WebApplication> map, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        // Kestrel replaces port 0 with the port it bound once it has started.
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new LoopbackSite(app, address.TrimEnd('/'));
    }

    /// <summary>Serves each page's HTML at its path (e.g. <c>/escaped</c>) as <c>text/html; charset=utf-8</c>.</summary>
    public static Task<LoopbackSite> ServingAsync(IReadOnlyDictionary<string, string> pages) => StartAsync(app =>
    {
        foreach (var (path, html) in pages)
            app.MapGet(path, () => Results.Content(html, "text/html; charset=utf-8"));
    });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
