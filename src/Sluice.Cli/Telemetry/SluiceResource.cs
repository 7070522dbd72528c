using OpenTelemetry.Resources;

namespace Sluice.Cli.Telemetry;

/// <summary>What OpenTelemetry says produced the telemetry: service <c>sluice</c>, unless the standard
/// <c>OTEL_SERVICE_NAME</c> names it otherwise (an explicit name would override the variable).</summary>
internal static class SluiceResource
{
    public static void Describe(ResourceBuilder resource)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
            resource.AddService("sluice", serviceVersion: typeof(SluiceResource).Assembly.GetName().Version?.ToString(3));
    }
}
