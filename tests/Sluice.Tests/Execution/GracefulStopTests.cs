using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A graceful stop reads no new input, drains what was read into a final checkpoint, and leaves a run the
/// next one resumes: together they write every record once.</summary>
public sealed class GracefulStopTests : StateStoreTest
{
    private const string Yaml = """
        name: stop
        checkpoint: { every_records: 0, every_seconds: 0 }
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
        sink: { type: jsonl, path: out }
        """;

    [Fact]
    public async Task A_stopped_run_commits_what_it_read_and_the_next_run_finishes_it()
    {
        for (int file = 0; file < 4; file++)
        {
            WriteInput(file, 2000);
        }
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml)) with { BaseDirectory = Dir.Path };
        PipelineDefinition Slowed(TimeSpan delay) => pipeline with
        {
            Stages = [.. pipeline.Stages.Take(2), new("slow", new SlowTransformOptions(delay), ["contract"]),
                pipeline.Stages[2] with { Inputs = ["slow"] }],
        };
        var options = new RunnerOptions { BatchSize = 100 };

        var run = await new PipelineRunner(Store, options).StartAsync(Slowed(TimeSpan.FromMilliseconds(20)));
        Assert.True(SpinWait.SpinUntil(() => run.Stages[^1].In >= 500, TimeSpan.FromSeconds(20)), "the sink never got 500 records");
        run.RequestStop();
        var stopped = await run.Completion;

        Assert.Equal(RunState.Stopped, stopped.Run.State);
        Assert.Null(stopped.Error);
        var last = await Store.GetLatestCheckpointAsync(stopped.Run.Id);
        int written = ReadOutputIds().Count;
        Assert.True(written is >= 500 and < 8000, $"{written} rows written before the stop");
        Assert.Equal(written, last!.RecordsCommitted); // all that was read drained into the final checkpoint
        Assert.Equal(written, stopped.Run.RecordsRead);
        Assert.Empty(Directory.GetFiles(Dir.File("out"), "*.inprogress"));

        var resumed = await new PipelineRunner(Store, options).StartAsync(Slowed(TimeSpan.Zero));
        var outcome = await resumed.Completion;

        Assert.Equal(new ResumePoint(last.Id, written), resumed.ResumedFrom);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(8000, outcome.Run.RecordsRead);
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (long)i), ReadOutputIds().Order());
    }

    [Fact]
    public async Task A_stop_after_the_input_ended_is_a_success()
    {
        WriteInput(0, 5);
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml)) with { BaseDirectory = Dir.Path };
        pipeline = pipeline with
        {
            Stages = [.. pipeline.Stages.Take(2), new("slow", new SlowTransformOptions(TimeSpan.FromMilliseconds(200)), ["contract"]),
                pipeline.Stages[2] with { Inputs = ["slow"] }],
        };
        var run = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 1 }).StartAsync(pipeline);
        // The source has read all 5 records and the slow stage is still at work on them when the stop comes.
        Assert.True(SpinWait.SpinUntil(() => run.Stages[0].Out == 5 && run.Stages[2].In >= 2, TimeSpan.FromSeconds(20)), "the input was not read");
        Assert.False(run.Completion.IsCompleted, "the run ended before the stop: the test proves nothing");

        run.RequestStop();
        var outcome = await run.Completion;

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), ReadOutputIds().Order());
        Assert.Null(await Store.FindUnfinishedRunAsync("stop")); // nothing left to resume
    }

    private void WriteInput(int file, int rows)
    {
        Dir.Write($"in/{file}.csv", IdsCsv.Of(file * rows, rows));
    }

    private List<long> ReadOutputIds() => JsonlOutput.Ids(Dir.File("out"));
}
