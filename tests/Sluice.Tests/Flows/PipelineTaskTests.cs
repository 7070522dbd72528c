using Sluice.Configuration;
using Sluice.Flows;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Tests.Flows;

/// <summary>A pipeline task across a crash of the process running it, and the result it hands downstream.</summary>
public sealed class PipelineTaskTests : FlowTest
{
    [Fact]
    public async Task A_pipeline_task_killed_after_its_pipeline_run_succeeded_completes_with_that_run_and_starts_no_other()
    {
        Dir.Write("data/in.csv", "id,name\n1,a\n2,b\n3,c\n");
        string pipelineFile = Dir.Write("p.yaml", """
            name: p
            source: { type: csv, path: data/*.csv }
            sink: { type: jsonl, path: out }
            """);
        var flow = Flow().Task("load", t => t.Pipeline("p.yaml")).Build();
        // What a process killed between its pipeline run's success and the task's completion leaves: the flow run
        // running, the task running with the pipeline run's id, the pipeline run succeeded and its input consumed.
        var store = new SqliteFlowStore(Store);
        var run = (await store.StartFlowRunAsync("f", "", new Dictionary<string, string>(), FlowRunner.DefinitionHash(flow), null, FlowTaskGraph.Of(flow), default))!;
        var pipeline = await new PipelineRunner(Store, new RunnerOptions { ParentRunId = run.Run.Id })
            .StartAsync(PipelineFile.Parse(pipelineFile, ComponentCatalog.BuiltIn, new Dictionary<string, string>()), fresh: false);
        Assert.Equal(RunState.Succeeded, (await pipeline.Completion).Run.State);
        var now = DateTimeOffset.UtcNow;
        await store.SaveAsync([new TaskRunRecord(run.Run.Id, "load", -1, null, TaskState.Running, 1, now, null, null, pipeline.Id, null, null, null)], null, default);

        var result = await RunAsync(flow);

        Assert.Equal((RunState.Succeeded, true), (result.State, result.Resumed));
        var load = Task(result, "load");
        Assert.Equal(pipeline.Id, load.PipelineRunId);
        Assert.Contains("\"records_written\":3", load.Result, StringComparison.Ordinal);
        Assert.Single(await Store.ListRunsAsync("p"));
    }

    /// <summary>The state in a pipeline task's result is spelled as the CLI spells it (and as a memory-limited child
    /// process's JSON does): once it was <c>qualitygatefailed</c> in process and <c>quality-gate-failed</c> in a child.</summary>
    [Fact]
    public async Task A_pipeline_task_whose_run_breaks_its_quality_gate_fails_with_the_state_spelled_as_the_cli_spells_it()
    {
        Dir.Write("data/in.csv", "id\n1\nx\n3\n");
        Dir.Write("p.yaml", """
            name: gated
            source: { type: csv, path: data/*.csv }
            contract: { fields: { id: { type: int64 } } }
            dead_letter: { max_count: 0 }
            sink: { type: jsonl, path: out }
            """);
        var flow = Flow().Task("load", t => t.Pipeline("p.yaml")).Build();

        var result = await RunAsync(flow);

        var load = Task(result, "load");
        Assert.Equal((RunState.Failed, TaskState.Failed), (result.State, load.State));
        Assert.Contains("\"state\":\"quality-gate-failed\"", load.Result, StringComparison.Ordinal);
        Assert.StartsWith($"pipeline run {load.PipelineRunId} quality-gate-failed: ", load.Error, StringComparison.Ordinal);
    }
}
