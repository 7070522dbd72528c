using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>
/// <c>resilience.concurrency</c>: a transform applies up to N batches at once, yet its output, its dead letters and
/// its checkpoints are what one batch at a time gives; where order or state forbid it, the pipeline is refused.
/// </summary>
public sealed class BulkheadTests : StateStoreTest
{
    private static readonly ResiliencePolicy NoRetries = new() { Retry = new RetryPolicy { Attempts = 1 } };

    private static PipelineDefinition Chain(string name, MemorySourceOptions source, ProbeOptions probe, MemorySinkOptions sink, int concurrency) =>
        new(name, [
            new("source", source, []),
            new("probe", probe, ["source"]),
            new("sink", sink, ["probe"]),
        ]) { Resilience = NoRetries with { Concurrency = concurrency } };

    [Fact]
    public async Task Up_to_n_batches_are_applied_at_once_and_the_output_keeps_the_input_order()
    {
        var one = new ProbeOptions { Delay = TimeSpan.FromMilliseconds(15), DeadEvery = 7 };
        var four = new ProbeOptions { Delay = one.Delay, DeadEvery = 7 };
        var sinkOne = new MemorySinkOptions();
        var sinkFour = new MemorySinkOptions();

        var sequential = await new PipelineRunner(Store).RunAsync(Chain("one", new MemorySourceOptions(12_000, BatchSize: 300), one, sinkOne, 1));
        var concurrent = await new PipelineRunner(Store).RunAsync(Chain("four", new MemorySourceOptions(12_000, BatchSize: 300), four, sinkFour, 4));

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (sequential.Run.State, concurrent.Run.State));
        Assert.Equal(1, one.MaxRunning.Value);
        Assert.InRange(four.MaxRunning.Value, 2, 4);
        var expected = Enumerable.Range(0, 12_000).Where(i => i % 7 != 0).Select(i => (long)i).ToList();
        Assert.Equal(expected, sinkOne.Received); // in the order the sink received them, not sorted
        Assert.Equal(expected, sinkFour.Received);
        var stage = concurrent.Stages.Single(s => s.Stage == "probe");
        Assert.Equal((12_000L, (long)expected.Count, 12_000L - expected.Count), (stage.In, stage.Out, stage.DeadLettered));
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: concurrent.Run.Id, Limit: 10_000));
        Assert.Equal(Enumerable.Range(0, 12_000).Where(i => i % 7 == 0).Select(i => i + 1L), letters.Select(l => l.Line).Order());
    }

    [Fact]
    public async Task Frequent_checkpoints_under_concurrency_commit_every_record_once()
    {
        var sink = new MemorySinkOptions();
        var probe = new ProbeOptions { Delay = TimeSpan.FromMilliseconds(3), DeadEvery = 7 };
        var pipeline = Chain("checkpoints", new MemorySourceOptions(20_000, BatchSize: 250), probe, sink, 4)
            with { Checkpoint = new CheckpointPolicy(EveryRecords: 1000, EverySeconds: 0) };

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.True(outcome.Checkpoints >= 3, $"{outcome.Checkpoints} checkpoints");
        var expected = Enumerable.Range(0, 20_000).Where(i => i % 7 != 0).Select(i => (long)i).ToList();
        Assert.Equal(expected, sink.Published); // each once, and in order across checkpoints
        Assert.All(outcome.Stages, s => Assert.Equal(s.In, s.Out + s.DeadLettered + s.Filtered));
        var checkpoints = await Store.ListCheckpointsAsync(outcome.Run.Id);
        Assert.Equal(expected.Count, checkpoints[^1].RecordsCommitted);
    }

    [Fact]
    public async Task A_run_that_fails_under_concurrency_resumes_from_its_checkpoint_and_writes_each_record_once()
    {
        Dir.Write("in/a.csv", IdsCsv.Of(0, 10_000));
        var probe = new ProbeOptions
        {
            Delay = TimeSpan.FromMilliseconds(2),
            DeadEvery = 7,
            FailAt = 7000,
            Ready = () => HasCheckpointAsync().GetAwaiter().GetResult(),
        };
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", """
            name: bulkhead-resume
            checkpoint: { every_records: 1000, every_seconds: 0 }
            resilience: { concurrency: 4, retry: { attempts: 1 } }
            stages:
              - name: read
                source: { type: csv, path: "in/*.csv" }
              - name: typed
                contract: { fields: { id: { type: int64, required: true } } }
              - name: out
                sink: { type: jsonl, path: out, max_rows_per_file: 700 }
            """)) with { BaseDirectory = Dir.Path };
        var stages = pipeline.Stages.Select(s => s.Name == "out" ? s with { Inputs = ["probe"] } : s).ToList();
        stages.Insert(2, new StageDefinition("probe", probe, ["typed"]));
        pipeline = pipeline with { Stages = stages };
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 200 });

        var failed = await runner.RunAsync(pipeline);
        var stoppedAt = await Store.GetLatestCheckpointAsync(failed.Run.Id);
        probe.Armed = false;
        var resumed = await runner.RunAsync(pipeline);

        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.Equal("stage 'probe' failed: the disk went away", failed.Error); // the failure, not the cancellations it caused
        Assert.NotNull(stoppedAt);
        Assert.Equal((failed.Run.Id, RunState.Succeeded), (resumed.Run.Id, resumed.Run.State));
        var expected = Enumerable.Range(0, 10_000).Where(i => i % 7 != 0).Select(i => (long)i);
        Assert.Equal(expected, JsonlOutput.Ids(Dir.File("out")).Order());
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: resumed.Run.Id, Limit: 10_000));
        Assert.Equal(Enumerable.Range(0, 10_000).Where(i => i % 7 == 0).Select(i => i + 2L), letters.Select(l => l.Line).Order()); // line 1: header
        Assert.Equal((10_000L, 10_000L - expected.Count()), (resumed.Run.RecordsRead, resumed.Run.DeadLettered));
    }

    [Fact]
    public async Task A_poison_record_under_concurrency_is_dead_lettered_and_the_rest_goes_on()
    {
        var sink = new MemorySinkOptions();
        var probe = new ProbeOptions { Delay = TimeSpan.FromMilliseconds(2), Poison = id => id % 1000 == 13 };

        var outcome = await new PipelineRunner(Store).RunAsync(Chain("poison", new MemorySourceOptions(5000, BatchSize: 250), probe, sink, 4));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(0, 5000).Where(i => i % 1000 != 13).Select(i => (long)i), sink.Published);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 100));
        Assert.Equal(new[] { 14L, 1014, 2014, 3014, 4014 }, letters.Select(l => l.Line).Order());
        Assert.All(letters, l => Assert.Contains("threw on this record 3 times: InvalidOperationException: poison", l.Message));
        var stage = outcome.Stages.Single(s => s.Stage == "probe");
        Assert.Equal((5000L, 4995L, 5L), (stage.In, stage.Out, stage.DeadLettered));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public void The_pipeline_file_refuses_a_concurrency_out_of_range(string value)
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Dir.Write("p.yaml", $$"""
            name: r
            source: { type: csv, path: "*.csv" }
            sink: { type: jsonl, path: out }
            resilience:
              concurrency: {{value}}
            """)));

        // The other problem (no input file) is reported in the same pass.
        var problem = Assert.Single(e.Diagnostics, d => d.Message.StartsWith("resilience.", StringComparison.Ordinal));
        Assert.Equal($"resilience.concurrency must be from 1 to 64 (batches a transform applies at the same time); found {value}", problem.Message);
        Assert.Equal(5, problem.Location?.Line);
    }

    [Theory]
    [InlineData("unique", "transform 'unique': resilience.concurrency must be 1 for a stateful transform (its state depends on the order of its input); remove it")]
    [InlineData("out", "sink 'out': resilience.concurrency applies to transforms only (a sink writes its output in order; the http sink's max_requests_in_flight sets its requests in flight); remove it")]
    [InlineData("read", "source 'read': resilience.concurrency applies to transforms only (a source reads its input in order); remove it")]
    public void A_stage_where_concurrency_cannot_apply_is_refused(string stage, string message)
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(WriteGraph(stage)));

        var problem = Assert.Single(e.Diagnostics);
        Assert.Equal(message, problem.Message);
        Assert.NotNull(problem.Location);
    }

    [Fact]
    public void The_pipeline_s_concurrency_applies_to_its_stateless_transforms_only()
    {
        var pipeline = PipelineFile.Parse(WriteGraph(null)) with { BaseDirectory = Dir.Path };
        pipeline = pipeline with { Resilience = pipeline.Resilience with { Concurrency = 3 } };

        var nodes = PipelineBuilder.Build(pipeline, new BuildContext(Dir.Path, "test"));

        Assert.Equal(new[] { 0, 3, 0, 0 }, nodes.Select(n => n.Lanes.Count));
        var check = nodes.Single(n => n.Name == "check");
        Assert.Same(check.Transform, check.Lanes[0]);
        Assert.Equal(3, check.Lanes.Distinct().Count()); // an instance per lane: transforms are not thread-safe
    }

    /// <summary>source → contract → dedupe → sink, with <c>resilience: { concurrency: 4 }</c> on
    /// <paramref name="concurrentStage"/>.</summary>
    private string WriteGraph(string? concurrentStage)
    {
        Dir.Write("in/a.csv", "id\n1\n2\n");
        string Resilience(string stage) => stage == concurrentStage ? "\n    resilience: { concurrency: 4 }" : "";
        return Dir.Write("p.yaml", $"""
            name: g
            stages:
              - name: read
                source: {"{"} type: csv, path: "in/*.csv" {"}"}{Resilience("read")}
              - name: check
                contract: {"{"} fields: {"{"} id: {"{"} type: int64 {"}"} {"}"} {"}"}{Resilience("check")}
              - name: unique
                dedupe: {"{"} key: [id] {"}"}{Resilience("unique")}
              - name: out
                sink: {"{"} type: jsonl, path: out {"}"}{Resilience("out")}
            """);
    }

    private async Task<bool> HasCheckpointAsync()
    {
        var latest = (await Store.ListRunsAsync("bulkhead-resume", 1)).FirstOrDefault();
        return latest is not null && await Store.GetLatestCheckpointAsync(latest.Id) is not null;
    }
}

/// <summary>Passes its input's rows through after <see cref="Delay"/>, counting how many of its instances apply a
/// batch at the same time; dead-letters ids that are multiples of <see cref="DeadEvery"/>, throws (a poison record)
/// on the ids <see cref="Poison"/> picks, and while <see cref="Armed"/> fails the stage with an I/O error on the
/// batch holding <see cref="FailAt"/>, once <see cref="Ready"/> says so.</summary>
internal sealed record ProbeOptions : ITransformOptions
{
    public TimeSpan Delay { get; init; }
    public int DeadEvery { get; init; }
    public Func<long, bool> Poison { get; init; } = _ => false;
    public long FailAt { get; init; } = -1;
    public Func<bool> Ready { get; init; } = () => true;
    public bool Armed { get; set; } = true;

    public StrongBox<int> Running { get; } = new(0);
    public StrongBox<int> MaxRunning { get; } = new(0);

    public ITransform CreateTransform(Schema input, BuildContext context) => new Probe(input, this);

    private sealed class Probe(Schema input, ProbeOptions options) : ITransform
    {
        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            int running = Interlocked.Increment(ref options.Running.Value);
            try
            {
                for (int max = Volatile.Read(ref options.MaxRunning.Value); running > max; max = Volatile.Read(ref options.MaxRunning.Value))
                {
                    Interlocked.CompareExchange(ref options.MaxRunning.Value, running, max);
                }
                Thread.Sleep(options.Delay);
                return Keep(batch, context);
            }
            finally
            {
                Interlocked.Decrement(ref options.Running.Value);
            }
        }

        private Batch? Keep(Batch batch, StageContext context)
        {
            var ids = (Int64Array)batch.Data.Column(0);
            var keep = new List<int>();
            for (int row = 0; row < batch.Length; row++)
            {
                long id = ids.GetValue(row)!.Value;
                if (options.Armed && id == options.FailAt)
                {
                    if (!SpinWait.SpinUntil(options.Ready, TimeSpan.FromSeconds(10)))
                    {
                        throw new InvalidOperationException("the test never got ready for the failure"); // permanent: fails the test's run
                    }
                    throw new IOException("the disk went away");
                }
                if (options.Poison(id))
                {
                    throw new InvalidOperationException("poison");
                }
                if (options.DeadEvery > 0 && id % options.DeadEvery == 0)
                {
                    context.DeadLetter(batch.Origins[row], DeadLetterReason.Transform, "id", "every", "dead by rule");
                }
                else
                {
                    keep.Add(row);
                }
            }
            return keep.Count == 0 ? null : ArrayTake.Take(batch, keep.ToArray());
        }
    }
}
