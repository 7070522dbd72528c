using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;
using Sluice.Transforms.Filter;

namespace Sluice.Tests.Execution;

/// <summary>Every sink that is built is disposed (an http sink holds an HttpClient): by the run that owns it, and
/// also when it was built only to check a pipeline, to plan a replay, or for a build that then failed.</summary>
public sealed class SinkDisposalTests : StateStoreTest
{
    /// <summary>ids 0..99 through a contract that rejects ids above 89 into a memory sink.</summary>
    private PipelineDefinition Pipeline(MemorySinkOptions sink, int max = 89, int rows = 100)
    {
        Dir.Write("in/a.csv", IdsCsv.Of(0, rows));
        var parsed = PipelineFile.Parse(Dir.Write("p.yaml", $$"""
            name: disposal
            source: { type: csv, path: "in/*.csv" }
            contract:
              fields:
                id: { type: int64, max: {{max}} }
            sink: { type: jsonl, path: out }
            """)) with { BaseDirectory = Dir.Path };
        return parsed with { Stages = [.. parsed.Stages.SkipLast(1), parsed.Stages[^1] with { Options = sink }] };
    }

    [Fact]
    public void Checking_a_pipeline_disposes_the_sinks_it_built()
    {
        var sink = new MemorySinkOptions();

        PipelineBuilder.Check(Pipeline(sink), new BuildContext(Dir.Path, "validate"));

        Assert.Equal((1, 1), (sink.Created.Value, sink.Disposed.Value));
    }

    [Fact]
    public async Task A_build_that_fails_disposes_the_sinks_it_had_built()
    {
        var sink = new MemorySinkOptions();
        var pipeline = Pipeline(sink);
        var other = new MemorySinkOptions();
        pipeline = pipeline with
        {
            Stages = [.. pipeline.Stages, new("broken", new FilterOptions("no_such_column > 1"), ["contract"]), new("other", other, ["broken"])],
        };

        var error = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).StartAsync(pipeline));

        Assert.Contains("no_such_column", error.Message);
        Assert.Equal((1, 1), (sink.Created.Value, sink.Disposed.Value));
        // A filter that does not compile still passes its columns on, so the sink after it is built to be checked too.
        Assert.Equal((1, 1), (other.Created.Value, other.Disposed.Value));
    }

    [Fact]
    public async Task A_replay_disposes_the_sinks_it_built_to_plan_as_well_as_its_runs_sinks()
    {
        var first = await new PipelineRunner(Store).RunAsync(Pipeline(new MemorySinkOptions()));
        Assert.Equal(10, first.Run.DeadLettered);
        var sink = new MemorySinkOptions();

        var replay = await new PipelineRunner(Store).ReplayAsync(Pipeline(sink, max: 1000), new DeadLetterQuery());

        Assert.Equal(RunState.Succeeded, Assert.Single(replay.Runs).Run.State);
        Assert.Equal(Enumerable.Range(90, 10).Select(i => (long)i), sink.Published.Order());
        Assert.True(sink.Created.Value >= 2, $"{sink.Created.Value} sinks built: planning and the replay run each build one");
        Assert.Equal(sink.Created.Value, sink.Disposed.Value);
    }

    [Fact]
    public async Task A_resume_refused_after_the_build_disposes_the_sinks_it_built()
    {
        var slow = new MemorySinkOptions { Delay = TimeSpan.FromMilliseconds(50) };
        var run = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 10 }).StartAsync(Pipeline(slow, max: 10_000, rows: 5_000));
        Assert.True(SpinWait.SpinUntil(() => slow.Written.Value >= 1, TimeSpan.FromSeconds(20)), "the sink never wrote");
        run.RequestStop();
        Assert.Equal(RunState.Stopped, (await run.Completion).Run.State);
        var sink = new MemorySinkOptions();
        var changed = Pipeline(sink, max: 10_000, rows: 5_000);
        changed = changed with
        {
            Stages = [.. changed.Stages.SkipLast(1), new("keep", new FilterOptions("id >= 0"), ["contract"]), changed.Stages[^1] with { Inputs = ["keep"] }],
        };

        var error = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).StartAsync(changed));

        Assert.Contains("a run resumes only with the same stages", error.Message);
        Assert.Equal((1, 1), (sink.Created.Value, sink.Disposed.Value));
    }
}
