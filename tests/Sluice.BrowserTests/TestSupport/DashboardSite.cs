using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Dashboard;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>The dashboard on real Kestrel at 127.0.0.1, mounted at the root and with no login (loopback), as
/// <c>sluice dashboard</c> serves it.</summary>
public static class DashboardSite
{
    public static Task<LoopbackSite> StartAsync(string statePath, params string[] pipelineFiles)
    {
        var options = new SluiceDashboardOptions { StatePath = statePath, PathPrefix = "" };
        foreach (string file in pipelineFiles)
            options.PipelineFiles.Add(file);
        return LoopbackSite.StartAsync(app => app.MapSluiceDashboard(options), services =>
        {
            services.AddAntiforgery();
            services.AddDataProtection().UseEphemeralDataProtectionProvider();
        });
    }
}
