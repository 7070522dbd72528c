namespace Sluice.Cli.Telemetry;

/// <summary>
/// OTLP export as the standard OpenTelemetry variables ask for it: traces when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> is set, metrics when it or <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c> is;
/// nothing when <c>OTEL_SDK_DISABLED=true</c>. Read here, without OpenTelemetry's types, so that a command without them
/// loads none of it.
/// </summary>
internal sealed record OtlpSettings(OtlpSignal? Traces, OtlpSignal? Metrics)
{
    /// <summary>The settings in the environment; null when they ask for no export.</summary>
    /// <exception cref="CommandLineException">A variable has a value the exporter would ignore (a URL that is not one,
    /// an unknown protocol): said rather than exporting nowhere without a word.</exception>
    public static OtlpSettings? FromEnvironment()
    {
        if (string.Equals(Variable("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
            return null;
        Endpoint("OTEL_EXPORTER_OTLP_ENDPOINT");
        var traces = Signal("TRACES");
        var metrics = Signal("METRICS");
        return traces is null && metrics is null ? null : new OtlpSettings(traces, metrics);
    }

    private static OtlpSignal? Signal(string signal)
    {
        Uri? own = Endpoint($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT");
        if (own is null && Variable("OTEL_EXPORTER_OTLP_ENDPOINT") is null)
            return null;
        string? protocol = Protocol($"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL") ?? Protocol("OTEL_EXPORTER_OTLP_PROTOCOL");
        return new OtlpSignal(own, protocol);
    }

    private static Uri? Endpoint(string name) => Variable(name) switch
    {
        null => null,
        var text when Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => uri,
        var text => throw new CommandLineException($"{name} takes an http:// or https:// URL (http://localhost:4318); not '{text}'"),
    };

    private static string? Protocol(string name) => Variable(name) switch
    {
        null => null,
        "grpc" => "grpc",
        "http/protobuf" => "http/protobuf",
        var text => throw new CommandLineException($"{name} takes grpc or http/protobuf; not '{text}'"),
    };

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value.Trim() : null;
}

/// <summary>One signal's export: its own endpoint (used as given, as the specification says of a signal's endpoint),
/// or null for the shared one, to which the exporter adds <c>/v1/traces</c> or <c>/v1/metrics</c> for
/// http/protobuf; and its protocol, or null for the exporter's default (grpc).</summary>
internal sealed record OtlpSignal(Uri? Endpoint, string? Protocol);
