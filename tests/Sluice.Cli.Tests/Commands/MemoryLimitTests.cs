using System.Text;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice run --memory-limit</c> and a flow's <c>memory_limit</c>: a run that goes above its limit fails
/// with a message and resumes exactly once; a flow's pipeline task runs in a process of its own held to it.</summary>
public sealed class MemoryLimitTests : IDisposable
{
    /// <summary>Distinct keys a dedupe keeps in memory: some 300 MB of them, well above the smallest limit.</summary>
    private const int Rows = 600_000;

    private readonly TempDir _dir = new();

    public MemoryLimitTests()
    {
        var csv = new StringBuilder("id,name\n");
        for (int i = 0; i < Rows; i++)
            csv.Append(i).Append(",name-").Append(i.ToString("D12", System.Globalization.CultureInfo.InvariantCulture)).Append("-padding-padding\n");
        _dir.Write("data/keys.csv", csv.ToString());
        _dir.Write("dedupe.yaml", """
            name: dedupe
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            transforms:
              - dedupe: { key: [name] }
            sink: { type: jsonl, path: out }
            checkpoint: { every_records: 50000 }
            """);
    }

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    [Fact]
    public async Task A_run_above_its_memory_limit_fails_with_a_message_and_the_next_run_resumes_it_to_every_row_once()
    {
        CliResult limited = await SluiceProcess.RunAsync("run", _dir.File("dedupe.yaml"), "--state", State, "--memory-limit", "128MB");
        CliResult resumed = await SluiceProcess.RunAsync("run", _dir.File("dedupe.yaml"), "--state", State);

        Assert.Equal(1, limited.ExitCode);
        Assert.Matches(@"memory limit 128 MB exceeded: the process held [\d.]+ MB, so the run was stopped", limited.Stderr);
        Assert.DoesNotContain("   at ", limited.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, resumed.ExitCode);
        var ids = JsonlOutput.Ids(_dir.File("out"));
        Assert.Equal(Rows, ids.Count);
        Assert.Equal(Rows, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("100MB")]
    [InlineData("lots")]
    [InlineData("-1GB")]
    public async Task A_memory_limit_that_cannot_hold_a_run_is_refused(string limit)
    {
        CliResult result = await TestSupport.Sluice.RunAsync("run", _dir.File("dedupe.yaml"), "--state", State, "--memory-limit", limit);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--memory-limit takes a size of at least 128MB (512MB, 2GB); not '{limit}'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flows_pipeline_task_above_its_memory_limit_fails_alone_and_with_a_higher_limit_the_flow_resumes_to_every_row_once()
    {
        string Flow(string limit) => _dir.Write("flow.yaml", $"""
            name: heavy
            tasks:
              dedupe:
                pipeline: dedupe.yaml
                memory_limit: {limit}
              other:
                command: [bash, -c, "echo other >> other.log"]
            """);

        CliResult failed = await TestSupport.Sluice.RunAsync("flow", "run", Flow("128MB"), "--state", State);
        CliResult resumed = await TestSupport.Sluice.RunAsync("flow", "run", Flow("2GB"), "--state", State);

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("dedupe failed: pipeline run", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("memory limit 128 MB exceeded", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("other completed", failed.Stdout, StringComparison.Ordinal); // the flow's process went on
        Assert.Equal(0, resumed.ExitCode);
        Assert.Single(File.ReadAllLines(_dir.File("other.log")));
        var ids = JsonlOutput.Ids(_dir.File("out"));
        Assert.Equal(Rows, ids.Count);
        Assert.Equal(Rows, ids.Distinct().Count());
        // The task's pipeline runs were recorded under the flow run, as in-process ones are.
        var runs = System.Text.Json.JsonDocument.Parse((await TestSupport.Sluice.RunAsync("runs", "--state", State, "--json")).Stdout)
            .RootElement.GetProperty("runs").EnumerateArray().ToList();
        string flowRun = runs.Single(r => r.GetProperty("kind").GetString() == "flow").GetProperty("run_id").GetString()!;
        Assert.All(runs.Where(r => r.GetProperty("kind").GetString() == "pipeline"), r => Assert.Equal(flowRun, r.GetProperty("parent_run_id").GetString()));
    }
}
