using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

public sealed class PipelineRunnerTests : StateStoreTest
{
    private static PipelineDefinition Chain(ISourceOptions source, ISinkOptions sink, params ITransformOptions[] transforms)
    {
        var stages = new List<StageDefinition> { new("source", source, []) };
        foreach (var (t, i) in transforms.Select((t, i) => (t, i)))
        {
            stages.Add(new($"t{i}", t, [stages[^1].Name]));
        }
        stages.Add(new("sink", sink, [stages[^1].Name]));
        return new PipelineDefinition("test", stages);
    }

    [Fact]
    public async Task Every_record_is_written_filtered_or_dead_lettered_and_each_stage_balances()
    {
        var sink = new MemorySinkOptions();
        var outcome = await new PipelineRunner(Store).RunAsync(Chain(new MemorySourceOptions(10_000), sink, new ModuloTransformOptions(DeadEvery: 7, FilterEvery: 5)));

        int dead = Enumerable.Range(0, 10_000).Count(i => i % 7 == 0);
        int filtered = Enumerable.Range(0, 10_000).Count(i => i % 7 != 0 && i % 5 == 0);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Null(outcome.Error);
        Assert.Equal(10_000 - dead - filtered, sink.Published.Count);
        Assert.Equal(Enumerable.Range(0, 10_000).Where(i => i % 7 != 0 && i % 5 != 0).Select(i => (long)i), sink.Published.Order());
        Assert.All(outcome.Stages, s => Assert.Equal(s.In, s.Out + s.DeadLettered + s.Filtered));
        Assert.Equal(new RunTotals(10_000, 10_000 - dead - filtered, filtered, dead),
            new RunTotals(outcome.Run.RecordsRead, outcome.Run.RecordsWritten, outcome.Run.Filtered, outcome.Run.DeadLettered));
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 100_000));
        Assert.Equal(dead, letters.Count);
        Assert.All(letters, l => Assert.Equal(DeadLetterReason.Transform, l.Reason));
        Assert.Contains(letters, l => l.Line == 15 && System.Text.Encoding.UTF8.GetString(l.Original) == "row14");
        Assert.Equal(["source", "t0", "sink"], (await Store.GetStageCountsAsync(outcome.Run.Id)).Select(s => s.Stage));
    }

    [Fact]
    public async Task Fan_out_sends_every_batch_to_each_branch()
    {
        var all = new MemorySinkOptions();
        var some = new MemorySinkOptions();
        var pipeline = new PipelineDefinition("fanout", [
            new("read", new MemorySourceOptions(5_000), []),
            new("all", all, ["read"]),
            new("odd", new ModuloTransformOptions(DeadEvery: 1_000_000, FilterEvery: 2), ["read"]),
            new("some", some, ["odd"]),
        ]);

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(5_000, all.Published.Count);
        Assert.Equal(2_500, some.Published.Count); // odd ids pass; even ones are filtered, except 0, which is dead-lettered
        Assert.Equal(7_500, outcome.Run.RecordsWritten);
        Assert.Equal(1, outcome.Run.DeadLettered);
    }

    [Fact]
    public async Task Union_reads_from_several_sources()
    {
        var sink = new MemorySinkOptions();
        var pipeline = new PipelineDefinition("union", [
            new("a", new MemorySourceOptions(3_000), []),
            new("b", new MemorySourceOptions(2_000), []),
            new("out", sink, ["a", "b"]),
        ]);

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(5_000, sink.Published.Count);
        Assert.Equal(5_000, outcome.Run.RecordsRead);
    }

    [Fact]
    public async Task A_failing_stage_fails_the_run_and_nothing_is_published()
    {
        var sink = new MemorySinkOptions();
        var outcome = await new PipelineRunner(Store).RunAsync(Chain(new MemorySourceOptions(10_000) { FailAfterBatches = 3 }, sink));

        Assert.Equal(RunState.Failed, outcome.Run.State);
        Assert.Equal("stage 'source' failed: disk on fire", outcome.Error);
        Assert.Empty(sink.Published);
        Assert.True(sink.Aborted.Value);
        Assert.Equal(outcome.Error, (await Store.FindRunAsync(outcome.Run.Id))!.Error);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_marks_it_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new MemorySinkOptions { Delay = TimeSpan.FromMilliseconds(20), BeforeWrite = n => { if (n == 3) cancel.Cancel(); } };
        var run = await new PipelineRunner(Store).StartAsync(Chain(new MemorySourceOptions(1_000_000), sink), cancel.Token);
        var outcome = await run.Completion;

        Assert.Equal(RunState.Cancelled, outcome.Run.State);
        Assert.Empty(sink.Published);
        Assert.True(outcome.Run.RecordsRead < 1_000_000);
    }

    [Fact]
    public async Task A_slow_sink_holds_the_source_back_within_the_channel_capacity()
    {
        var source = new MemorySourceOptions(200_000, BatchSize: 100);
        int maxAhead = 0;
        var sink = new MemorySinkOptions
        {
            Delay = TimeSpan.FromMilliseconds(1),
            BeforeWrite = written => maxAhead = Math.Max(maxAhead, source.Emitted.Value - written),
        };
        var outcome = await new PipelineRunner(Store, new RunnerOptions { ChannelCapacity = 2 }).RunAsync(Chain(source, sink));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        // In flight: the batch being written, 2 in the channel, 1 the source is blocked on emitting, 1 being produced.
        Assert.InRange(maxAhead, 1, 5);
    }

    [Theory]
    [InlineData(0.10, null, RunState.QualityGateFailed)] // 1/7 ≈ 14 % dead
    [InlineData(0.20, null, RunState.Succeeded)]
    [InlineData(null, 1000L, RunState.QualityGateFailed)] // 1,429 dead
    [InlineData(null, 2000L, RunState.Succeeded)]
    public async Task The_quality_gate_fails_a_run_with_too_many_dead_letters(double? maxRatio, long? maxCount, RunState expected)
    {
        var sink = new MemorySinkOptions();
        var pipeline = Chain(new MemorySourceOptions(10_000), sink, new ModuloTransformOptions(DeadEvery: 7, FilterEvery: 1_000_000))
            with { DeadLetter = new DeadLetterPolicy(maxRatio, maxCount) };

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(expected, outcome.Run.State);
        Assert.Equal(expected == RunState.Succeeded ? 8_571 : 0, sink.Published.Count);
        if (expected == RunState.QualityGateFailed)
        {
            Assert.StartsWith("quality gate failed: 1,429", outcome.Error);
        }
    }

    [Fact]
    public async Task An_invalid_graph_is_rejected_before_a_run_is_recorded()
    {
        var pipeline = new PipelineDefinition("bad", [
            new("read", new MemorySourceOptions(10), []),
            new("out", new MemorySinkOptions(), ["nowhere"]),
        ]);

        var e = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).StartAsync(pipeline));

        Assert.Contains(e.Diagnostics, d => d.Message.Contains("reads from 'nowhere', which does not exist"));
        Assert.Empty(await Store.ListRunsAsync());
    }
}
