using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Sluice.Observability;

namespace Sluice.Cli.Telemetry;

/// <summary>The Sluice meter in Prometheus' text format at <c>/metrics</c>, through OpenTelemetry's exporter: the
/// one call any web app of the CLI makes to expose it (<c>run --metrics-port</c>'s server, the dashboard).</summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>Maps <see cref="Path"/> on <paramref name="app"/>, read from a meter provider of its own that lives
    /// as long as the app; returns the endpoint, for a caller that adds authorization to it.</summary>
    public static IEndpointConventionBuilder MapSluiceMetrics(this WebApplication app)
    {
        var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(SluiceResource.Describe)
            .AddMeter(SluiceMetrics.MeterName)
            .AddPrometheusExporter()
            .Build();
        app.Lifetime.ApplicationStopped.Register(provider.Dispose);
        return app.MapPrometheusScrapingEndpoint(Path, provider, configureBranchedPipeline: null, optionsName: null);
    }
}
