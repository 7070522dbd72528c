using System.Diagnostics.Tracing;
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
    private readonly ExporterErrors _errors = new();

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

    /// <summary>Sends what is left, within <see cref="ExitBudget"/>; returns the first error the exporter met during
    /// the command (a collector down or refusing), or that the last export did not finish in time; null when all went.</summary>
    public string? Finish()
    {
        int budget = (int)ExitBudget.TotalMilliseconds;
        // Both at once, each within the budget: a shutdown exports what its signal still holds.
        var traces = Task.Run(() => _traces?.Shutdown(budget));
        var metrics = Task.Run(() => _metrics?.Shutdown(budget));
        bool finished = Task.WaitAll([traces, metrics], ExitBudget + TimeSpan.FromSeconds(1))
            && traces.Result is not false && metrics.Result is not false;
        Dispose();
        return _errors.First
            ?? (finished ? null : $"the last export did not finish within {ExitBudget.TotalSeconds:0} s (the collector did not answer)");
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _metrics?.Dispose();
        _errors.Dispose();
    }

    /// <summary>The OTLP exporter's own error events: the SDK reports a collector it cannot reach there and nowhere
    /// else (its shutdown still says it succeeded), so without them telemetry could be lost on every run unseen.</summary>
    private sealed class ExporterErrors : EventListener
    {
        private string? _first;

        public string? First => Volatile.Read(ref _first);

        protected override void OnEventSourceCreated(EventSource source)
        {
            // A collector refusing or down is a Warning there ("transient", as the exporter would retry it).
            if (source.Name == "OpenTelemetry-Exporter-OpenTelemetryProtocol")
                EnableEvents(source, EventLevel.Warning);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            string text = e.Message is { } format && e.Payload is { } payload
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, [.. payload])
                : e.EventName ?? "an export failed";
            // The first line: the exception's stack trace follows it.
            Interlocked.CompareExchange(ref _first, text.Split('\n')[0].Trim(), null);
        }
    }
}
