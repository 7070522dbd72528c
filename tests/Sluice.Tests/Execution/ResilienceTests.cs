using Apache.Arrow;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>Transient failures are retried with backoff (a failed try leaves nothing behind), counted, and break the
/// circuit when they persist; permanent ones are not retried.</summary>
public sealed class ResilienceTests : StateStoreTest
{
    private static readonly ResiliencePolicy Quick = new() { Retry = new RetryPolicy { Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) } };

    private static PipelineDefinition Chain(ITransformOptions transform, MemorySinkOptions sink, ResiliencePolicy policy, long rows = 5000) =>
        new("resilience", [
            new("source", new MemorySourceOptions(rows), []),
            new("flaky", transform, ["source"]),
            new("sink", sink, ["flaky"]),
        ]) { Resilience = policy };

    [Fact]
    public async Task A_batch_that_fails_transiently_is_retried_and_written_once_with_its_dead_letters_once()
    {
        var sink = new MemorySinkOptions();
        var flaky = new FlakyTransformOptions(FailuresPerBatch: 2);

        var outcome = await new PipelineRunner(Store).RunAsync(Chain(flaky, sink, Quick));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(0, 5000).Where(i => i % 10 != 0).Select(i => (long)i), sink.Published.Order());
        var stage = outcome.Stages.Single(c => c.Stage == "flaky");
        Assert.Equal(5 * 2, stage.Retries); // five batches of 1000, each failed twice before it went through
        Assert.Equal(500, stage.DeadLettered);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 10_000));
        Assert.Equal(500, letters.Select(l => l.Line).Distinct().Count());
        Assert.Equal(500, letters.Count);
    }

    [Fact]
    public async Task A_failure_that_outlasts_the_retries_fails_the_run()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(
            Chain(new FlakyTransformOptions(FailuresPerBatch: int.MaxValue), new MemorySinkOptions(), Quick));

        Assert.Equal(RunState.Failed, outcome.Run.State);
        Assert.Equal("stage 'flaky' failed: the network is down", outcome.Error);
        Assert.Equal(2, outcome.Stages.Single(c => c.Stage == "flaky").Retries);
    }

    [Fact]
    public async Task Persistent_failures_open_the_circuit()
    {
        var policy = new ResiliencePolicy
        {
            Retry = new RetryPolicy { Attempts = 8, Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(300), Jitter = false },
            CircuitBreaker = new CircuitBreakerPolicy { MinimumThroughput = 2, Sampling = TimeSpan.FromSeconds(5), Break = TimeSpan.FromMilliseconds(500) },
        };

        var outcome = await new PipelineRunner(Store).RunAsync(
            Chain(new FlakyTransformOptions(FailuresPerBatch: int.MaxValue), new MemorySinkOptions(), policy));

        var stage = outcome.Stages.Single(c => c.Stage == "flaky");
        Assert.Equal(RunState.Failed, outcome.Run.State);
        Assert.True(stage.CircuitOpenings >= 1, $"the circuit opened {stage.CircuitOpenings} times");
        Assert.Equal(7, stage.Retries);
    }

    [Fact]
    public async Task A_stage_policy_replaces_the_pipeline_policy_for_that_stage()
    {
        var pipeline = Chain(new FlakyTransformOptions(FailuresPerBatch: 1), new MemorySinkOptions(), Quick);
        var noRetries = pipeline with
        {
            Stages = pipeline.Stages.Select(s => s.Name == "flaky" ? s with { Resilience = new ResiliencePolicy { Retry = new RetryPolicy { Attempts = 1 } } } : s).ToList(),
        };

        var retried = await new PipelineRunner(Store).RunAsync(pipeline);
        var failed = await new PipelineRunner(Store).RunAsync(noRetries);

        Assert.Equal(RunState.Succeeded, retried.Run.State);
        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.Equal(0, failed.Stages.Single(c => c.Stage == "flaky").Retries);
    }

    [Fact]
    public async Task A_rate_limit_spaces_a_stage_s_records()
    {
        var sink = new MemorySinkOptions();
        var pipeline = Chain(new FlakyTransformOptions(FailuresPerBatch: 0), sink, Quick, rows: 10_000);
        var limited = pipeline with
        {
            Stages = pipeline.Stages.Select(s => s.Name == "flaky" ? s with { Resilience = Quick with { RecordsPerSecond = 20_000 } } : s).ToList(),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await new PipelineRunner(Store).RunAsync(limited);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(9000, sink.Published.Count); // every tenth id is dead-lettered by the transform
        // Ten batches of 1,000 at 20,000 a second: the first goes at once, the other nine wait 50 ms each.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_stage_of_the_graph_form_may_have_its_own_policy()
    {
        using var dir = new TempDir();
        var pipeline = PipelineFile.Parse(dir.Write("p.yaml", """
            name: r
            resilience: { retry: { attempts: 2 } }
            stages:
              - name: read
                source: { type: csv, path: "*.csv" }
              - name: out
                sink: { type: jsonl, path: out }
                resilience: { retry: { attempts: 7, delay: 1s }, timeout: 20s, rate_limit: { records_per_second: 250 } }
            """));

        Assert.Null(pipeline.Stages[0].Resilience);
        Assert.Equal(2, pipeline.Resilience.Retry.Attempts);
        Assert.Equal(new ResiliencePolicy { Retry = new RetryPolicy { Attempts = 7, Delay = TimeSpan.FromSeconds(1) }, Timeout = TimeSpan.FromSeconds(20), RecordsPerSecond = 250 },
            pipeline.Stages[1].Resilience);
    }

    [Fact]
    public void The_pipeline_file_sets_the_policy_and_refuses_what_cannot_work()
    {
        using var dir = new TempDir();
        string Write(string resilience) => dir.Write("p.yaml", $$"""
            name: r
            source: { type: csv, path: "*.csv" }
            sink: { type: jsonl, path: out }
            resilience:
            {{resilience}}
            """);
        var policy = PipelineFile.Parse(Write("""
              retry: { attempts: 5, delay: 250ms, max_delay: 1m, jitter: false }
              timeout: 30s
              circuit_breaker: { failure_ratio: 0.25, sampling: 10s, min_throughput: 4, break: 2s }
            """)).Resilience;

        Assert.Equal(new RetryPolicy { Attempts = 5, Delay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromMinutes(1), Jitter = false }, policy.Retry);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.Timeout);
        Assert.Equal(new CircuitBreakerPolicy { FailureRatio = 0.25, Sampling = TimeSpan.FromSeconds(10), MinimumThroughput = 4, Break = TimeSpan.FromSeconds(2) },
            policy.CircuitBreaker);

        var e = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Write("""
              retry: { attempts: 0, delay: soon }
              circuit_breaker: { min_throughput: 1 }
            """)));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("attempts must be from 1 (no retries) to 1,000,000; found 0"));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("delay must be a positive duration with a unit, e.g. 250ms, 10s, 5m, 1h; found 'soon'"));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("min_throughput must be at least 2"));
    }

    [Fact]
    public void Durations_past_a_day_and_endless_attempts_are_refused_where_they_are_written_not_by_Polly_at_run_time()
    {
        using var dir = new TempDir();
        string path = dir.Write("p.yaml", """
            name: r
            source: { type: csv, path: "*.csv" }
            sink: { type: jsonl, path: out }
            resilience:
              retry: { attempts: 99999999999, delay: 2d, max_delay: 100d }
              timeout: 25h
              circuit_breaker: { sampling: 1d, break: 30d }
            """);

        var e = Assert.Throws<PipelineException>(() => PipelineFile.Parse(path));

        Assert.Equal(
            [
                "5:22: resilience.retry.attempts must be from 1 (no retries) to 1,000,000; found 99999999999",
                "5:42: delay must be at most 1d (24h); found '2d'",
                "5:57: max_delay must be at most 1d (24h); found '100d'",
                "6:12: timeout must be at most 1d (24h); found '25h'",
                "7:43: break must be at most 1d (24h); found '30d'",
            ],
            e.Diagnostics.Where(d => !d.Message.Contains("no file matches")).Select(d => $"{d.Location!.Line}:{d.Location.Column}: {d.Message}"));
    }

    [Fact]
    public void Retry_on_lists_the_failures_tried_again()
    {
        using var dir = new TempDir();
        string Write(string on) => dir.Write("p.yaml", $$"""
            name: r
            source: { type: csv, path: "*.csv" }
            sink: { type: jsonl, path: out }
            resilience: { retry: { on: {{on}} } }
            """);

        var on = PipelineFile.Parse(Write("[network, 409, 5xx]")).Resilience.Retry.On;

        Assert.Equal((false, false, true), (on.Io, on.Timeouts, on.Network));
        Assert.Equal([409, .. Enumerable.Range(500, 100)], on.HttpStatuses.Order());
        Assert.True(on.Matches(new HttpRequestException("conflict", null, System.Net.HttpStatusCode.Conflict)));
        Assert.False(on.Matches(new HttpRequestException("too many", null, System.Net.HttpStatusCode.TooManyRequests)));
        Assert.True(on.Matches(new HttpRequestException("reset", new IOException("connection reset"))));
        Assert.False(on.Matches(new IOException("disk full")));
        Assert.True(RetryOn.Default.Matches(new IOException("disk full")));
        Assert.False(RetryOn.Default.Matches(new HttpRequestException("bad", null, System.Net.HttpStatusCode.BadRequest)));
        Assert.Same(RetryOn.Default, PipelineFile.Parse(dir.Write("q.yaml", """
            name: r
            source: { type: csv, path: "*.csv" }
            sink: { type: jsonl, path: out }
            resilience: { retry: { attempts: 2 } }
            """)).Resilience.Retry.On);
        var bad = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Write("[io, sometimes]")));
        Assert.Contains("resilience.retry.on: 'sometimes' is not a kind of failure", bad.Message);
        var empty = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Write("[]")));
        Assert.Contains("resilience.retry.on is empty; to turn retrying off, write retry: { attempts: 1 }", empty.Message);
    }
}

/// <summary>Dead-letters every tenth id, then throws an <see cref="IOException"/> on the first
/// <c>FailuresPerBatch</c> tries of each batch (a transient fault).</summary>
internal sealed record FlakyTransformOptions(int FailuresPerBatch) : ITransformOptions
{
    public ITransform CreateTransform(Schema input, BuildContext context) => new Flaky(input, FailuresPerBatch);

    private sealed class Flaky(Schema input, int failuresPerBatch) : ITransform
    {
        private readonly Dictionary<long, int> _tries = [];

        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            var ids = (Int64Array)batch.Data.Column(0);
            var keep = new List<int>();
            for (int row = 0; row < batch.Length; row++)
            {
                if (ids.GetValue(row)!.Value % 10 == 0)
                {
                    context.DeadLetter(batch.Origins[row], DeadLetterReason.Transform, "id", "tenth", "every tenth");
                }
                else
                {
                    keep.Add(row);
                }
            }
            long first = ids.GetValue(0)!.Value;
            int tries = _tries[first] = _tries.GetValueOrDefault(first) + 1;
            if (tries <= failuresPerBatch)
            {
                throw new IOException("the network is down");
            }
            return ArrayTake.Take(batch, keep.ToArray());
        }
    }
}
