using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A source whose position is its own (a stream's, a cursor's): a new run starts after the pipeline's last
/// committed position when the source continues across runs, and the source is told of every commit.</summary>
public sealed class SourceAcrossRunsTests : StateStoreTest
{
    private static PipelineDefinition Pipeline(LogSourceOptions log, MemorySinkOptions sink, long everyRecords = 0) =>
        new("log-to-memory", [new("log", log, []), new("sink", sink, ["log"])])
        {
            Checkpoint = new CheckpointPolicy(EveryRecords: everyRecords, EverySeconds: 0),
        };

    [Fact]
    public async Task A_new_run_reads_only_what_came_after_the_last_committed_position()
    {
        var log = new LogSourceOptions();
        log.Append(100);
        var first = new MemorySinkOptions();
        Assert.Equal(RunState.Succeeded, (await new PipelineRunner(Store).RunAsync(Pipeline(log, first))).Run.State);

        log.Append(50);
        var second = new MemorySinkOptions();
        var outcome = await new PipelineRunner(Store).RunAsync(Pipeline(log, second));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), first.Published.Order());
        Assert.Equal(Enumerable.Range(101, 50).Select(i => (long)i), second.Published.Order());
        Assert.Equal([null, 100L], log.StartedAfter);
    }

    [Fact]
    public async Task A_run_with_nothing_new_keeps_the_position_for_the_run_after_it()
    {
        var log = new LogSourceOptions();
        log.Append(30);
        await new PipelineRunner(Store).RunAsync(Pipeline(log, new MemorySinkOptions()));
        var idle = await new PipelineRunner(Store).RunAsync(Pipeline(log, new MemorySinkOptions()));
        log.Append(5);
        var third = new MemorySinkOptions();

        await new PipelineRunner(Store).RunAsync(Pipeline(log, third));

        Assert.Equal(0, idle.Run.RecordsRead);
        Assert.Equal([31L, 32, 33, 34, 35], third.Published.Order());
        Assert.Equal([null, 30L, 30L], log.StartedAfter);
    }

    [Fact]
    public async Task The_source_is_told_of_each_committed_checkpoint_in_order()
    {
        var log = new LogSourceOptions { BatchSize = 10 };
        log.Append(100);

        var outcome = await new PipelineRunner(Store).RunAsync(Pipeline(log, new MemorySinkOptions(), everyRecords: 30));

        var committed = log.Committed.ToList();
        Assert.Equal(outcome.Checkpoints, committed.Count);
        Assert.Equal(committed.Order(), committed);
        Assert.Equal(100, committed[^1]);
        Assert.True(committed.Count >= 2, $"{committed.Count} commits told");
    }

    [Fact]
    public async Task The_source_is_disposed_once_when_its_run_ends_after_its_last_commit_and_when_only_checked()
    {
        var log = new LogSourceOptions { BatchSize = 10 };
        log.Append(50);

        await new PipelineRunner(Store).RunAsync(Pipeline(log, new MemorySinkOptions(), everyRecords: 20));
        Assert.Equal(1, log.Disposed);
        Assert.False(log.CommittedAfterDisposal);

        PipelineBuilder.Check(Pipeline(log, new MemorySinkOptions()), new BuildContext(Path.GetTempPath(), "check"));
        Assert.Equal(2, log.Disposed);
    }

    [Fact]
    public async Task A_source_that_cannot_act_on_a_commit_leaves_the_run_succeeded_with_a_warning()
    {
        var log = new LogSourceOptions { FailCommits = true };
        log.Append(20);
        var sink = new MemorySinkOptions();

        var outcome = await new PipelineRunner(Store).RunAsync(Pipeline(log, sink));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(20, sink.Published.Count);
        var note = Assert.Single(outcome.Notes, n => n.Warning);
        Assert.Equal("log", note.Stage);
        Assert.Equal("could not act on committed checkpoint 1 (the broker went away); the next checkpoint or run covers it", note.Message);
    }
}
