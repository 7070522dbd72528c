using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Http;

/// <summary>The http sink against a real receiver that fails: retried requests and resumed runs reach it with the
/// same idempotency keys, so it stores every record once.</summary>
public sealed class HttpSinkTests : StateStoreTest
{
    private const int Rows = 6000;

    private string Yaml(Uri url) => $$"""
        name: http
        checkpoint: { every_records: 1000 }
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
        sink:
          type: http
          url: {{url}}
          max_records_per_request: 250
          headers: { Authorization: "Bearer ${env:SLUICE_TEST_TOKEN}", X-Source: sluice }
        resilience:
          retry: { attempts: 12, delay: 10ms, max_delay: 100ms }
          timeout: 500ms
        """;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Environment.SetEnvironmentVariable("SLUICE_TEST_TOKEN", "t0ken-canary-8c1f");
        for (int file = 0; file < 3; file++)
        {
            Dir.Write($"in/{file}.csv", IdsCsv.Of(file * (Rows / 3), Rows / 3));
        }
    }

    [Theory]
    [InlineData("{ X Source: sluice }", "header name 'X Source' is not an HTTP header name")]
    [InlineData("{ \"Authorization:\": x }", "header name 'Authorization:' is not an HTTP header name")]
    [InlineData("{ X-Source: \"a\\r\\nX-Injected: 1\" }", "header 'X-Source': a value cannot hold a line break or NUL")]
    public void A_header_that_could_not_be_sent_as_written_is_refused_when_the_file_is_read(string headers, string expected)
    {
        string yaml = Yaml(new Uri("http://127.0.0.1:1/")).Replace(
            "headers: { Authorization: \"Bearer ${env:SLUICE_TEST_TOKEN}\", X-Source: sluice }", "headers: " + headers, StringComparison.Ordinal);

        var error = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Dir.Write("p.yaml", yaml)));

        Assert.Contains(expected, error.Message);
        Assert.Contains("p.yaml:11:", error.Message); // at the header, not the file
    }

    [Fact]
    public async Task With_30_percent_failures_every_record_arrives_once_and_the_retries_are_counted()
    {
        await using var receiver = await FaultyReceiver.StartAsync();
        receiver.FailureRate = 0.3;
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(receiver.Url))) with { BaseDirectory = Dir.Path };

        var outcome = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 500 }).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), receiver.Ids.Order());
        Assert.True(receiver.Failures > 0 && receiver.Duplicates > 0, $"{receiver.Failures} failures, {receiver.Duplicates} duplicates: the receiver had to deduplicate");
        Assert.True(outcome.Stages.Single(c => c.Stage == "sink").Retries >= receiver.Failures / 2);
        Assert.All(receiver.Headers, h => Assert.Contains("Authorization: Bearer t0ken-canary-8c1f", h));
    }

    [Fact]
    public async Task When_every_request_fails_the_run_fails_and_a_later_run_delivers_the_rest_once()
    {
        await using var receiver = await FaultyReceiver.StartAsync(seed: 7);
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(receiver.Url).Replace(
            "timeout: 500ms", "timeout: 500ms\n  circuit_breaker: { min_throughput: 2, sampling: 2s, break: 500ms }"))) with { BaseDirectory = Dir.Path };
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 500 });
        var started = await runner.StartAsync(pipeline);
        Assert.True(SpinWait.SpinUntil(() => receiver.Ids.Count >= 2000, TimeSpan.FromSeconds(20)), "the receiver never got 2000 records");
        receiver.FailureRate = 1;
        var failed = await started.Completion;

        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.True(failed.Stages.Single(c => c.Stage == "sink").CircuitOpenings >= 1);
        Assert.NotNull(await Store.GetLatestCheckpointAsync(failed.Run.Id));

        receiver.FailureRate = 0;
        var resumed = await runner.StartAsync(pipeline);
        var outcome = await resumed.Completion;

        Assert.NotNull(resumed.ResumedFrom);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), receiver.Ids.Order());
    }

    [Fact]
    public async Task A_status_is_retried_only_when_retry_on_names_it()
    {
        await using var receiver = await FaultyReceiver.StartAsync(seed: 3);
        receiver.FailureRate = 0.3;
        receiver.FaultStatus = 409; // say the receiver answers 409 while another writer holds a lock
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 500 });
        string yaml = Yaml(receiver.Url);

        var refused = await runner.RunAsync(PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path });
        Assert.Equal(RunState.Failed, refused.Run.State);
        Assert.Contains("the receiver answered 409 Conflict", refused.Error);

        string retrying = yaml.Replace("max_delay: 100ms }", "max_delay: 100ms, on: [network, timeout, 5xx, 409] }", StringComparison.Ordinal);
        var outcome = await runner.RunAsync(PipelineFile.Parse(Dir.Write("p.yaml", retrying)) with { BaseDirectory = Dir.Path });

        Assert.Equal(RunState.Succeeded, outcome.Run.State); // the failed run resumed and completed
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), receiver.Ids.Order());
        Assert.True(outcome.Stages.Single(c => c.Stage == "sink").Retries > 0);
    }

    [Fact]
    public async Task Requests_in_flight_are_bounded_and_paced()
    {
        await using var receiver = await FaultyReceiver.StartAsync();
        receiver.Latency = TimeSpan.FromMilliseconds(100);
        // The timeout covers one try of a whole batch (20 requests here): give it room.
        string yaml = Yaml(receiver.Url).Replace("max_records_per_request: 250", "max_records_per_request: 100\n  max_requests_in_flight: 4")
            .Replace("timeout: 500ms", "timeout: 10s");
        var bounded = PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };

        var outcome = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 2000 }).RunAsync(bounded);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(4, receiver.MaxInFlight); // 20 requests per batch, four at a time
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), receiver.Ids.Order());

        await using var paced = await FaultyReceiver.StartAsync();
        string slow = Yaml(paced.Url).Replace("max_records_per_request: 250", "max_records_per_request: 500\n  requests_per_second: 10")
            .Replace("timeout: 500ms", "timeout: 10s");
        var pipeline = PipelineFile.Parse(Dir.Write("q.yaml", slow.Replace("name: http", "name: paced"))) with { BaseDirectory = Dir.Path };

        await new PipelineRunner(Store).RunAsync(pipeline);

        var arrivals = paced.Arrivals.Order().ToList();
        Assert.Equal(Rows / 500, arrivals.Count);
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromSeconds(1.0), $"12 requests at 10/s took {arrivals[^1] - arrivals[0]}");
    }

    [Fact]
    public async Task A_missing_secret_stops_the_run_before_it_starts_without_printing_any_header()
    {
        await using var receiver = await FaultyReceiver.StartAsync();
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(receiver.Url).Replace("SLUICE_TEST_TOKEN", "SLUICE_NOT_SET"))) with { BaseDirectory = Dir.Path };

        var e = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).StartAsync(pipeline));

        Assert.Contains("header 'Authorization' needs the environment variable SLUICE_NOT_SET, which is not set", e.Message);
        Assert.Equal(0, receiver.Requests);
    }

    [Fact]
    public async Task A_secret_holding_a_line_break_stops_the_run_before_it_starts_without_printing_it()
    {
        // A line break in a header's value would end the header early and start another of the variable's choosing.
        Environment.SetEnvironmentVariable("SLUICE_TEST_BROKEN_TOKEN", "t0ken\r\nX-Injected: 1");
        await using var receiver = await FaultyReceiver.StartAsync();
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(receiver.Url).Replace("SLUICE_TEST_TOKEN", "SLUICE_TEST_BROKEN_TOKEN"))) with { BaseDirectory = Dir.Path };

        var e = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).StartAsync(pipeline));

        Assert.Contains("header 'Authorization': a value cannot hold a line break or NUL (after its environment variables were put in)", e.Message);
        Assert.DoesNotContain("t0ken", e.Message);
        Assert.Equal(0, receiver.Requests);
    }
}
