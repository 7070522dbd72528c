using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice graph FILE</c>: a pipeline or flow file as Mermaid, from the file alone.</summary>
public sealed class GraphCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_pipeline_file_with_parameters_and_no_input_is_drawn_without_running_or_opening_state()
    {
        string file = _dir.Write("p.yaml", """
            name: day
            source: { type: csv, path: "data/${params.day}.csv" }
            transforms:
              - filter: delay > 15
            sink: { type: parquet, path: out }
            """);

        CliResult result = await TestSupport.Sluice.RunAsync("graph", file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""
            flowchart LR
              s0(["source<br/><small>csv</small>"])
              s1["filter"]
              s2[("sink<br/><small>parquet</small>")]
              s0 --> s1
              s1 --> s2

            """.ReplaceLineEndings("\n"), result.Stdout);
        Assert.False(Directory.Exists(_dir.File(".sluice")));
    }

    [Fact]
    public async Task A_flow_file_is_drawn_as_its_tasks()
    {
        string file = Path.Combine(RepositoryFiles.Root, "examples", "nightly", "flow.yaml");

        CliResult result = await TestSupport.Sluice.RunAsync("graph", file);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("flowchart TB\n  t0[\"extract<br/><small>command</small>\"]\n  t1[[\"validate<br/><small>pipeline</small>\"]]\n", result.Stdout);
        Assert.Equal(8, result.Stdout.Split('\n').Count(l => l.Contains(" --> ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_missing_or_broken_file_exits_2_with_its_problems_at_their_place()
    {
        string broken = _dir.Write("broken.yaml", "name: b\nsource: { type: nope, path: x }\nsink: { type: jsonl, path: out }\n");

        CliResult missing = await TestSupport.Sluice.RunAsync("graph", _dir.File("ghost.yaml"));
        CliResult bad = await TestSupport.Sluice.RunAsync("graph", broken);

        Assert.Equal((2, $"error: no such pipeline or flow file: {_dir.File("ghost.yaml")}"), (missing.ExitCode, missing.Stderr.Trim()));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("broken.yaml:2:", bad.Stderr);
        Assert.Equal("", bad.Stdout);
    }
}
