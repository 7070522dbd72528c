using System.Text.Json;
using Sluice.Flows;
using Sluice.Lineage;
using Sluice.Lineage.OpenLineage;
using Sluice.State;
using Sluice.Tests.Flows;

namespace Sluice.Tests.Lineage;

/// <summary>A flow run and its pipeline tasks' runs as OpenLineage jobs, and the links the state store keeps.</summary>
public sealed class FlowLineageTests : FlowTest
{
    [Fact]
    public async Task A_flow_run_is_a_job_and_its_pipeline_tasks_runs_name_it_as_their_parent()
    {
        Dir.Write("data/in.csv", "id,name\n1,a\n2,b\n");
        Dir.Write("p.yaml", """
            name: p
            source: { type: csv, path: data/*.csv }
            sink: { type: jsonl, path: out }
            """);
        var flow = Flow("nightly").Task("load", t => t.Pipeline("p.yaml")).Build();
        var options = new FlowRunnerOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(100),
            Pipelines = new RunnerOptions { Lineage = new LineageOptions { Target = Dir.File("events.jsonl"), Namespace = "team-a" } },
        };

        var result = await RunAsync(flow, options: options);

        Assert.Equal(RunState.Succeeded, result.State);
        var events = File.ReadAllLines(Dir.File("events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        events.ForEach(OpenLineageSchemas.AssertValid);
        string Job(JsonElement e) => $"{e.GetProperty("job").GetProperty("name").GetString()} {e.GetProperty("eventType").GetString()}";
        Assert.Equal(["nightly START", "p START", "p COMPLETE", "nightly COMPLETE"], events.Select(Job));
        string flowRun = RunEvents.RunUuid(result.Run.Run.Id).ToString();
        Assert.All(events.Where(e => Job(e).StartsWith("nightly", StringComparison.Ordinal)),
            e => Assert.Equal(flowRun, e.GetProperty("run").GetProperty("runId").GetString()));
        Assert.All(events.Where(e => Job(e).StartsWith("p ", StringComparison.Ordinal)), e =>
        {
            var parent = e.GetProperty("run").GetProperty("facets").GetProperty("parent");
            Assert.Equal(flowRun, parent.GetProperty("run").GetProperty("runId").GetString());
            Assert.Equal(("team-a", "nightly"), (parent.GetProperty("job").GetProperty("namespace").GetString(), parent.GetProperty("job").GetProperty("name").GetString()));
        });
        Assert.All(events, e => Assert.Equal("team-a", e.GetProperty("job").GetProperty("namespace").GetString()));
    }

    [Fact]
    public async Task The_state_store_says_which_pipelines_a_flows_tasks_ran()
    {
        Dir.Write("data/in.csv", "id\n1\n");
        Dir.Write("a.yaml", "name: pa\nsource: { type: csv, path: data/*.csv }\nsink: { type: jsonl, path: out-a }\n");
        Dir.Write("b.yaml", "name: pb\nsource: { type: csv, path: data/*.csv }\nsink: { type: jsonl, path: out-b }\n");
        var flow = Flow("nightly")
            .Task("first", t => t.Pipeline("a.yaml"))
            .Task("second", t => t.Pipeline("b.yaml").DependsOn("first"))
            .Build();

        await RunAsync(flow);
        var again = await RunAsync(flow, new FlowRunRequest { Fresh = true });

        var links = await Store.ListFlowPipelinesAsync();
        Assert.Equal([("nightly", "first", "pa"), ("nightly", "second", "pb")], links.Select(l => (l.Flow, l.Task, l.Pipeline)));
        // The newest run of each: the second flow run's.
        Assert.Equal(again.Tasks.Where(t => t.IsTask).OrderBy(t => t.Task).Select(t => t.PipelineRunId), links.Select(l => l.LastRunId));
        var lineage = await Store.ListLineageAsync();
        Assert.Equal(["pa", "pb"], lineage.Select(l => l.Pipeline));
        Assert.Equal(lineage.Select(l => l.RunId), links.Select(l => l.LastRunId));
    }
}
