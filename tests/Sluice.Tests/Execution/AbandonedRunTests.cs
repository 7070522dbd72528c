using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A run whose process died (kill -9) stays "running" with in-progress files in its sink folders; the next
/// run of the pipeline — which holds the lease, so the other process is known dead — ends it and removes them.</summary>
public sealed class AbandonedRunTests : StateStoreTest
{
    private PipelineDefinition Pipeline() => new("p", [
        new("source", new MemorySourceOptions(500), []),
        new("sink", new JsonlSinkOptions { Path = "out" }, ["source"]),
    ]) { BaseDirectory = Dir.Path };

    [Fact]
    public async Task The_next_run_ends_a_dead_run_and_removes_only_its_unpublished_files()
    {
        var published = await new PipelineRunner(Store).RunAsync(Pipeline());
        var crashed = await Store.StartRunAsync("p");
        string leftover = Dir.Write($"out/part-{crashed.Id}-00000.jsonl.inprogress", "{\"id\":1}\n");
        string otherPipeline = Dir.Write("out/part-someone-else-00000.jsonl.inprogress", "{}\n");

        var run = await new PipelineRunner(Store).StartAsync(Pipeline());
        var outcome = await run.Completion;

        Assert.Equal([crashed.Id], run.AbandonedRuns);
        var ended = await Store.FindRunAsync(crashed.Id);
        Assert.Equal(RunState.Failed, ended!.State);
        Assert.Equal(PipelineRunner.AbandonedMessage, ended.Error);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(otherPipeline)); // not this run's: never guessed at
        Assert.All(published.Published, p => Assert.True(File.Exists(p)));
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Null(await Store.FindUnfinishedRunAsync("p"));
    }

    [Fact]
    public async Task Several_dead_runs_are_all_ended()
    {
        var first = await Store.StartRunAsync("p");
        var second = await Store.StartRunAsync("p");

        var run = await new PipelineRunner(Store).StartAsync(Pipeline());
        await run.Completion;

        Assert.Equal(new[] { first.Id, second.Id }.Order(), run.AbandonedRuns.Order());
    }
}
