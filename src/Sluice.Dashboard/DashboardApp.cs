using Microsoft.AspNetCore.Antiforgery;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Security;

namespace Sluice.Dashboard;

/// <summary>One mounted dashboard: its options, state file, security and the pipelines replay may use.</summary>
internal sealed class DashboardApp(SluiceDashboardOptions options, string prefix, DashboardSecurity security, IAntiforgery antiforgery,
    PipelineFiles pipelines)
{
    public SluiceDashboardOptions Options { get; } = options;

    /// <summary>The path the dashboard is mounted at, without a trailing slash ("" at the root).</summary>
    public string Prefix { get; } = prefix;

    public DashboardState State { get; } = new(options.StatePath);

    public DashboardSecurity Security { get; } = security;

    public IAntiforgery Antiforgery { get; } = antiforgery;

    public PipelineFiles Pipelines { get; } = pipelines;
}
