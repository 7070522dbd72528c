using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Dashboard;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>The dashboard on real Kestrel at 127.0.0.1 and a port the kernel picks, mounted at the root and with no
/// login (loopback), as <c>sluice dashboard</c> serves it.</summary>
public sealed class DashboardSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardSite(WebApplication app, string root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>The site's root without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Root { get; }

    public string Url(string path) => Root + path;

    public static async Task<DashboardSite> StartAsync(string statePath, params string[] pipelineFiles)
    {
        var options = new SluiceDashboardOptions { StatePath = statePath, PathPrefix = "" };
        foreach (string file in pipelineFiles)
            options.PipelineFiles.Add(file);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAntiforgery();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var app = builder.Build();
        app.MapSluiceDashboard(options);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new DashboardSite(app, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
