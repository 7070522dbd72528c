using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>When a run checkpoints (records, time, dead-letter volume, its end) and what each checkpoint holds.</summary>
public sealed class CheckpointTests : StateStoreTest
{
    private static PipelineDefinition Chain(ISourceOptions source, ISinkOptions sink, CheckpointPolicy policy, ITransformOptions? transform = null)
    {
        var stages = new List<StageDefinition> { new("source", source, []) };
        if (transform is not null)
        {
            stages.Add(new("t", transform, ["source"]));
        }
        stages.Add(new("sink", sink, [stages[^1].Name]));
        return new PipelineDefinition("checkpoints", stages) { Checkpoint = policy };
    }

    private async Task<IReadOnlyList<CheckpointSummary>> CheckpointsAsync(RunOutcome outcome)
    {
        var checkpoints = await Store.ListCheckpointsAsync(outcome.Run.Id);
        Assert.Equal(Enumerable.Range(1, checkpoints.Count).Select(i => (long)i), checkpoints.Select(c => c.Id));
        Assert.Equal(outcome.Checkpoints, checkpoints.Count);
        return checkpoints;
    }

    [Fact]
    public async Task A_run_checkpoints_every_n_records_and_publishes_as_it_goes()
    {
        var sink = new MemorySinkOptions();
        var outcome = await new PipelineRunner(Store).RunAsync(
            Chain(new MemorySourceOptions(20_000, BatchSize: 1000), sink, new CheckpointPolicy(EveryRecords: 5000, EverySeconds: 0)));

        var checkpoints = await CheckpointsAsync(outcome);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.InRange(checkpoints.Count, 2, 5); // at least one on the way and the final one; one in flight at a time
        Assert.True(checkpoints[0].RecordsCommitted is >= 5000 and < 20_000, $"first checkpoint committed {checkpoints[0].RecordsCommitted}");
        Assert.Equal(20_000, checkpoints[^1].RecordsCommitted);
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (long)i), sink.Published.Order());
    }

    [Fact]
    public async Task A_slow_run_checkpoints_on_the_timer()
    {
        var sink = new MemorySinkOptions { Delay = TimeSpan.FromMilliseconds(25) };
        var outcome = await new PipelineRunner(Store).RunAsync(
            Chain(new MemorySourceOptions(40_000, BatchSize: 1000), sink, new CheckpointPolicy(EveryRecords: 0, EverySeconds: 0.2)));

        Assert.True(outcome.Checkpoints >= 3, $"{outcome.Checkpoints} checkpoints in a run of about a second");
        Assert.Equal(40_000, (await CheckpointsAsync(outcome))[^1].RecordsCommitted);
    }

    [Fact]
    public async Task Without_triggers_a_run_checkpoints_once_at_its_end()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(
            Chain(new MemorySourceOptions(20_000), new MemorySinkOptions(), new CheckpointPolicy(EveryRecords: 0, EverySeconds: 0)));

        Assert.Equal(20_000, Assert.Single(await CheckpointsAsync(outcome)).RecordsCommitted);
    }

    [Fact]
    public async Task Many_dead_letters_make_a_checkpoint_so_they_never_pile_up_in_memory()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(Chain(new MemorySourceOptions(100_000), new MemorySinkOptions(),
            new CheckpointPolicy(EveryRecords: 0, EverySeconds: 0), new ModuloTransformOptions(DeadEvery: 1, FilterEvery: 1)));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        // No record or time trigger: any checkpoint before the final one was made by the dead letters alone.
        Assert.True(outcome.Checkpoints >= 2, $"{outcome.Checkpoints} checkpoints");
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 200_000));
        Assert.Equal(Enumerable.Range(1, 100_000).Select(i => (long)i), letters.Select(l => l.Line).Order());
    }

    [Fact]
    public async Task A_quality_gate_broken_at_a_checkpoint_stops_the_run_before_that_checkpoint_publishes()
    {
        var sink = new MemorySinkOptions();
        var pipeline = Chain(new MemorySourceOptions(50_000, BatchSize: 1000), sink, new CheckpointPolicy(EveryRecords: 20_000, EverySeconds: 0),
            new ModuloTransformOptions(DeadEvery: 1000, FilterEvery: 1_000_000)) with { DeadLetter = new DeadLetterPolicy(MaxCount: 25) };

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
        Assert.Contains("more than max_count 25", outcome.Error);
        var checkpoints = await Store.ListCheckpointsAsync(outcome.Run.Id);
        Assert.NotEmpty(checkpoints); // the first 20,000 records had 20 dead letters: within the gate
        Assert.Equal(checkpoints[^1].RecordsCommitted, sink.Published.Count);
        Assert.True(sink.Published.Count < 50_000 - 50);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 1000));
        Assert.InRange(letters.Count, 20, 25);
    }
}
