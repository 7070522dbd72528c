using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>Fixed HTML pages served by Kestrel on 127.0.0.1 and a port the kernel picks (port 0, so two test runs
/// never race for one), for tests of the browser machinery itself that must not depend on the dashboard.</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSite(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The site's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Serves each page's HTML at its path (e.g. <c>/escaped</c>) as <c>text/html; charset=utf-8</c>.</summary>
    public static async Task<LoopbackSite> StartAsync(IReadOnlyDictionary<string, string> pages)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        foreach (var (path, html) in pages)
            app.MapGet(path, () => Results.Content(html, "text/html; charset=utf-8"));
        await app.StartAsync();
        // Kestrel replaces port 0 with the port it bound once it has started.
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new LoopbackSite(app, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
