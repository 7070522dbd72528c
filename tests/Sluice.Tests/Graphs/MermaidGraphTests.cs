using System.Text.Json.Nodes;
using Sluice.Configuration;
using Sluice.Flows;
using Sluice.Graphs;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Graphs;

/// <summary>The Mermaid text of a pipeline or a flow: one node per stage or task, shaped by kind, an edge per input or
/// dependency, and labels that no name can break out of (the dashboard renders them as HTML).</summary>
public class MermaidGraphTests
{
    [Fact]
    public void A_pipeline_graph_has_a_node_per_stage_shaped_by_kind_and_an_edge_per_input()
    {
        using var dir = new TempDir();
        string file = dir.Write("p.yaml", """
            name: fan
            stages:
              - name: read
                source: { type: csv, path: in.csv }
              - name: check
                contract: { fields: { id: { type: int64 } } }
              - name: all
                from: check
                sink: { type: parquet, path: out }
              - name: late
                from: check
                filter: id > 2
              - name: both
                from: [late, check]
                sink: { type: jsonl, path: both }
            """);

        string graph = MermaidGraph.Of(PipelineFile.ParseWithoutParameters(file, null));

        Assert.Equal("""
            flowchart LR
              s0(["read<br/><small>csv</small>"])
              s1{{"check<br/><small>contract</small>"}}
              s2[("all<br/><small>parquet</small>")]
              s3["late<br/><small>filter</small>"]
              s4[("both<br/><small>jsonl</small>")]
              s0 --> s1
              s1 --> s2
              s1 --> s3
              s3 --> s4
              s1 --> s4

            """.ReplaceLineEndings("\n"), graph);
    }

    [Fact]
    public void A_flow_graph_shows_each_task_kind_its_map_and_its_dependencies()
    {
        var flow = new FlowBuilder("nightly")
            .Task("list", t => t.Command("ls"))
            .Task("load", t => t.Pipeline("load.yaml").MapResultOf("list").DependsOn("list"))
            .Task("report", t => t.Run((_, _) => Task.FromResult<JsonNode?>(null)).DependsOn("load"))
            .Build();

        string graph = MermaidGraph.Of(flow);

        Assert.Equal("""
            flowchart TB
              t0["list<br/><small>command</small>"]
              t1[["load<br/><small>pipeline, map over the result of list</small>"]]
              t2("report<br/><small>code</small>")
              t0 --> t1
              t1 --> t2

            """.ReplaceLineEndings("\n"), graph);
    }

    /// <summary>Names in files are plain (stage and task names are checked), but a pipeline built in code may name a
    /// stage anything, and a component's name comes from the file as written.</summary>
    [Theory]
    [InlineData("<script>alert(1)</script>", "#60;script#62;alert(1)#60;/script#62;")]
    [InlineData("a\"] --> x[\"b", "a#34;#93; --#62; x#91;#34;b")]
    [InlineData("été & co", "#233;t#233; #38; co")]
    public void Names_go_into_labels_as_entities_so_they_are_shown_never_run(string name, string label)
    {
        using var dir = new TempDir();
        var pipeline = PipelineFile.ParseWithoutParameters(dir.Write("p.yaml", "name: p\nsource: { type: csv, path: in.csv }\nsink: { type: jsonl, path: out }\n"), null);
        pipeline = pipeline with { Stages = [pipeline.Stages[0] with { Name = name, Component = name }, pipeline.Stages[1] with { Inputs = [name] }] };

        string graph = MermaidGraph.Of(pipeline);

        Assert.Contains($"  s0([\"{label}\"])\n", graph);
        Assert.Contains("  s0 --> s1\n", graph);
        Assert.DoesNotContain("<script", graph);
    }
}
