using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sluice.Observability;

namespace Sluice.Cli.Telemetry;

/// <summary>Exports the Sluice ActivitySource and meter by OTLP as <see cref="OtlpSettings"/> say, for as long as the
/// command runs; disposing it sends what is left (a short run's spans, its final counts) before the process exits.</summary>
internal sealed class OtlpExport : IDisposable
{
    /// <summary>How long the command waits at its end for the last export: a collector that is down answers at once,
    /// one that does not answer must not hold the command for the exporter's own timeout (10 s by default).</summary>
    public static readonly TimeSpan ExitBudget = TimeSpan.FromSeconds(3);

    private readonly TracerProvider? _traces;
    private readonly MeterProvider? _metrics;

    public OtlpExport(OtlpSettings settings)
    {
        if (settings.Traces is { } traces)
        {
            _traces = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(SluiceResource.Describe)
                .AddSource(SluiceTracing.SourceName)
                .AddOtlpExporter(options => Apply(traces, options))
                .Build();
        }
        if (settings.Metrics is { } metrics)
        {
            _metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(SluiceResource.Describe)
                .AddMeter(SluiceMetrics.MeterName)
                .AddOtlpExporter(options => Apply(metrics, options))
                .Build();
        }
    }

    /// <summary>On top of what the exporter read from the shared variables itself (endpoint, headers, timeout).</summary>
    private static void Apply(OtlpSignal signal, OtlpExporterOptions options)
    {
        if (signal.Endpoint is { } endpoint)
            options.Endpoint = endpoint;
        if (signal.Protocol is { } protocol)
            options.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
    }

    public void Dispose()
    {
        int budget = (int)ExitBudget.TotalMilliseconds;
        // Both at once, each within the budget: a shutdown exports what its signal still holds.
        var traces = Task.Run(() => _traces?.Shutdown(budget));
        var metrics = Task.Run(() => _metrics?.Shutdown(budget));
        Task.WaitAll([traces, metrics], ExitBudget + TimeSpan.FromSeconds(1));
        _traces?.Dispose();
        _metrics?.Dispose();
    }
}
