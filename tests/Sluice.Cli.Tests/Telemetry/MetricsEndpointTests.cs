using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Telemetry;

/// <summary><c>--metrics-port</c>: Prometheus <c>/metrics</c> of a running <c>sluice</c>, read as Prometheus reads it.</summary>
public sealed class MetricsEndpointTests
{
    private static readonly string[] Stages = ["source", "contract", "filter", "sink"];

    /// <summary>Per file: 6 rows, of which 2 break the contract (dead-lettered) and 1 is filtered out (id ≤ 1 in
    /// a.csv; none in b.csv), so every count differs and a mix-up shows.</summary>
    private static string Pipeline(TempDir dir)
    {
        dir.Write("data/a.csv", "id,name\n1,a\n2,b\nx,c\n3,d\ny,e\n4,f\n");
        return dir.Write("pipeline.yaml", """
            name: scraped
            checkpoint: { every_seconds: 0.2 }
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            transforms:
              - filter: id > 1
            sink: { type: jsonl, path: out }
            """);
    }

    [Fact]
    public async Task A_scrape_during_a_following_run_shows_its_progress_and_at_its_end_equals_the_runs_summary()
    {
        using var dir = new TempDir();
        string file = Pipeline(dir);
        using var sluice = new RunningSluice(new Dictionary<string, string>(),
            "run", file, "--state", dir.File("state.db"), "--follow", "--metrics-port", "0", "--json");
        string url = await sluice.MetricsUrlAsync();
        Assert.StartsWith("http://127.0.0.1:", url);
        Assert.EndsWith("/metrics", url);

        // Mid-run: the first file's rows, then the second file's on top, while the run goes on.
        var first = await ScrapeUntilAsync(url, samples => Count(samples, "sluice_records_out_total", "sink") == 3);
        Assert.Equal(6, Count(first, "sluice_records_in_total", "source"));
        dir.Write("data/b.csv", "id,name\n5,g\n6,h\nz,i\n7,j\nw,k\n8,l\n");
        var second = await ScrapeUntilAsync(url, samples => Count(samples, "sluice_records_out_total", "sink") == 7);
        Assert.Equal(12, Count(second, "sluice_records_in_total", "source"));

        var (exitCode, stdout) = await sluice.StopAsync();

        Assert.Equal(ExitCodes.Cancelled, exitCode);
        using var summary = JsonDocument.Parse(stdout);
        var stages = summary.RootElement.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(Stages, stages.Select(s => s.GetProperty("name").GetString()));
        foreach (var stage in stages)
        {
            string name = stage.GetProperty("name").GetString()!;
            Assert.Equal(stage.GetProperty("in").GetInt64(), Count(second, "sluice_records_in_total", name));
            Assert.Equal(stage.GetProperty("out").GetInt64(), Count(second, "sluice_records_out_total", name));
            Assert.Equal(stage.GetProperty("filtered").GetInt64(), Count(second, "sluice_records_filtered_total", name));
            Assert.Equal(stage.GetProperty("dead_lettered").GetInt64(), Count(second, "sluice_records_dead_lettered_total", name));
        }
        // Not equal by being zero: the run dead-lettered, filtered and wrote.
        Assert.Equal((4, 1, 7), (Count(second, "sluice_records_dead_lettered_total", "contract"),
            Count(second, "sluice_records_filtered_total", "filter"), Count(second, "sluice_records_out_total", "sink")));
        // Each stage timed its batches: the histogram's count series has every stage.
        Assert.All(Stages, stage => Assert.True(Count(second, "sluice_stage_batch_duration_seconds_count", stage) >= 1, stage));
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_code_2_before_the_run_starts()
    {
        using var dir = new TempDir();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await TestSupport.Sluice.RunAsync("run", Pipeline(dir), "--state", dir.File("state.db"), "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal($"error: cannot serve metrics on 127.0.0.1:{port}: Address already in use", result.Stderr.Trim());
        Assert.False(Directory.Exists(dir.File("out")), "the run started");
    }

    [Theory]
    [InlineData("65536", "127.0.0.1", "--metrics-port takes a TCP port, a whole number from 0 to 65535; not '65536'")]
    [InlineData("0", "localhost:9", "--metrics-address takes an IP address (127.0.0.1, ::1, 0.0.0.0); not 'localhost:9'")]
    public async Task A_bad_port_or_address_is_one_line_and_exit_code_2(string port, string address, string expected)
    {
        using var dir = new TempDir();

        var result = await TestSupport.Sluice.RunAsync("run", Pipeline(dir), "--metrics-port", port, "--metrics-address", address);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("error: " + expected, result.Stderr.Split('\n')[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task An_address_without_a_port_is_refused()
    {
        var result = await TestSupport.Sluice.RunAsync("serve", "flow.yaml", "--metrics-address", "0.0.0.0");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("error: --metrics-address needs --metrics-port", result.Stderr);
    }

    [Fact]
    public async Task Serve_serves_metrics_until_it_is_stopped_and_flow_run_while_it_runs()
    {
        using var dir = new TempDir();
        string flow = dir.Write("flow.yaml", """
            name: nightly
            schedule: "0 2 * * *"
            tasks: { a: { command: ["true"] } }
            """);
        using var serve = new RunningSluice(new Dictionary<string, string>(), "serve", flow, "--state", dir.File("serve.db"), "--metrics-port", "0");
        var scraped = await PrometheusText.ScrapeAsync(await serve.MetricsUrlAsync());
        var (served, _) = await serve.StopAsync();

        var flowRun = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", dir.File("run.db"), "--metrics-port", "0");

        Assert.Contains(scraped, s => s.Name == "target_info" && s.Labels["service_name"] == "sluice");
        Assert.Equal(ExitCodes.Cancelled, served);
        Assert.Equal(ExitCodes.Ok, flowRun.ExitCode);
        Assert.Matches(@"^metrics: http://127\.0\.0\.1:\d+/metrics$", flowRun.Stderr.Split('\n')[0]);
    }

    private static long Count(IReadOnlyList<PrometheusSample> samples, string metric, string stage) =>
        (long)samples.Single(s => s.Name == metric && s.Labels["sluice_pipeline"] == "scraped" && s.Labels["sluice_stage"] == stage).Value;

    /// <summary>Scrapes until <paramref name="done"/> holds (the run got there), for at most a minute.</summary>
    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeUntilAsync(string url, Func<IReadOnlyList<PrometheusSample>, bool> done)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var samples = await PrometheusText.ScrapeAsync(url);
            if (samples.Any(s => s.Name == "sluice_records_out_total") && done(samples))
                return samples;
            if (DateTime.UtcNow > until)
                throw new TimeoutException("the run did not get there; last scrape:\n" + string.Join('\n', samples));
            await Task.Delay(200);
        }
    }
}
