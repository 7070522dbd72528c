using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Telemetry;

/// <summary>OTLP export by the standard OpenTelemetry variables: a short run's spans and final metrics reach the
/// collector before the process exits, and a collector that is away does not hold the run.</summary>
public sealed class OtlpExportTests
{
    private static string Pipeline(TempDir dir)
    {
        dir.Write("data/a.csv", "id\n1\n2\nx\n3\n");
        return dir.Write("pipeline.yaml", """
            name: otlp-exported
            source: { type: csv, path: data/*.csv }
            contract: { fields: { id: { type: int64, required: true } } }
            sink: { type: jsonl, path: out }
            """);
    }

    [Fact]
    public async Task A_short_runs_spans_and_final_metrics_are_posted_before_it_exits()
    {
        using var dir = new TempDir();
        await using var receiver = await OtlpReceiver.StartAsync();

        var result = await SluiceProcess.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }, "run", Pipeline(dir), "--state", dir.File("state.db"));

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        string traces = receiver.Bodies("/v1/traces");
        Assert.Contains("sluice.run", traces);
        Assert.Contains("sluice.stage", traces);
        Assert.Contains("otlp-exported", traces);
        string metrics = receiver.Bodies("/v1/metrics");
        Assert.Contains("sluice.records.in", metrics);
        Assert.Contains("sluice.records.dead_lettered", metrics);
        Assert.Contains("otlp-exported", metrics);
    }

    [Fact]
    public async Task A_signals_own_endpoint_is_used_as_given_and_only_that_signal_is_exported()
    {
        using var dir = new TempDir();
        await using var receiver = await OtlpReceiver.StartAsync();

        var result = await SluiceProcess.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = receiver.Url + "/collector/spans",
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf",
        }, "run", Pipeline(dir), "--state", dir.File("state.db"));

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("sluice.run", receiver.Bodies("/collector/spans"));
        Assert.All(receiver.Paths, path => Assert.Equal("/collector/spans", path));
    }

    [Fact]
    public async Task A_collector_that_never_answers_does_not_fail_the_run_or_hold_it_for_the_exporters_timeout()
    {
        using var dir = new TempDir();
        // Accepts connections and never answers: the export waits for its timeout, set far above the exit budget.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var clock = Stopwatch.StartNew();

        var result = await SluiceProcess.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "120000",
        }, "run", Pipeline(dir), "--state", dir.File("state.db"));

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed} with the collector silent");
        Assert.Single(result.Stderr.Split('\n'), line => line.StartsWith("warning: OTLP: telemetry not exported: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_collector_that_is_down_is_one_warning_naming_it_and_a_working_one_none()
    {
        using var dir = new TempDir();
        // A port nobody listens on: connection refused. The SDK itself says nothing about it anywhere the user looks.
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var receiver = await OtlpReceiver.StartAsync();

        var down = await SluiceProcess.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }, "run", Pipeline(dir), "--state", dir.File("down.db"));
        var up = await SluiceProcess.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }, "run", Pipeline(dir), "--state", dir.File("up.db"));

        Assert.Equal(ExitCodes.Ok, down.ExitCode);
        string warning = Assert.Single(down.Stderr.Split('\n'), line => line.StartsWith("warning: OTLP:", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port}", warning);
        Assert.DoesNotContain("   at ", down.Stderr); // no stack trace
        Assert.Equal(ExitCodes.Ok, up.ExitCode);
        Assert.DoesNotContain("OTLP", up.Stderr);
    }

    [Fact]
    public async Task A_malformed_endpoint_is_one_line_and_exit_code_2()
    {
        using var dir = new TempDir();

        var result = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = "collector:4318" },
            "run", Pipeline(dir), "--state", dir.File("state.db"));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("error: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT takes an http:// or https:// URL (http://localhost:4318); not 'collector:4318'",
            result.Stderr.Trim());
    }
}
