using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>--lineage</c> and <c>OPENLINEAGE_URL</c> on <c>sluice run</c>.</summary>
public sealed class LineageCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Pipeline()
    {
        _dir.Write("data/orders.csv", "id,name\n1,a\n2,b\n");
        return _dir.Write("pipeline.yaml", """
            name: orders
            source: { type: csv, path: data/*.csv }
            transforms:
              - rename: { name: customer }
            sink: { type: jsonl, path: out }
            """);
    }

    [Fact]
    public async Task Run_appends_its_events_to_the_lineage_file()
    {
        string pipeline = Pipeline();

        var result = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", _dir.File("state.db"), "--lineage", _dir.File("events.jsonl"));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var events = File.ReadAllLines(_dir.File("events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["START", "COMPLETE"], events.Select(e => e.GetProperty("eventType").GetString()));
        var customer = events[1].GetProperty("outputs")[0].GetProperty("facets").GetProperty("columnLineage").GetProperty("fields").GetProperty("customer");
        Assert.Equal("name", customer.GetProperty("inputFields")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task OPENLINEAGE_URL_is_honoured_and_a_dead_endpoint_is_a_warning_in_the_summary()
    {
        string pipeline = Pipeline();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["OPENLINEAGE_URL"] = $"http://127.0.0.1:{port}" },
            "run", pipeline, "--state", _dir.File("state.db"));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains($"warning: lineage: OpenLineage START event not sent to http://127.0.0.1:{port}/api/v1/lineage (3 attempts)", result.Stdout);
        Assert.Contains("succeeded", result.Stdout);
    }
}
