using System.Text.Json;
using Sluice.Tests.TestSupport;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice flow run | list | show | cancel | schema</c>, <c>--param</c>, and flow runs in <c>runs</c> and
/// <c>show</c>, against real flow files, pipeline files and state files.</summary>
public sealed class FlowCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    /// <summary>A pipeline task reads the day's CSV given by a parameter; a command then reads its result.</summary>
    private string WriteEtl(string failReport = "false")
    {
        _dir.Write("data/2024-02-29.csv", "id,name\n1,a\n2,b\n3,c\n");
        _dir.Write("clean.yaml", """
            name: clean
            source: { type: csv, path: "data/${params.day}.csv" }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: "out/${params.day}" }
            """);
        return _dir.Write("flow.yaml", $$"""
            name: etl
            params:
              day: "2024-02-29"
            tasks:
              extract:
                command: [bash, -c, "echo extracted >> extract.log"]
              clean:
                pipeline: clean.yaml
                params: { day: "${params.day}" }
                depends_on: [extract]
              report:
                command: [bash, -c, "echo \"rows $1\"; if {{failReport}}; then echo 'report broke' >&2; exit 4; fi", _, "${tasks.clean.records_written}"]
                depends_on: [clean]
            """);
    }

    [Fact]
    public async Task A_flow_runs_its_pipeline_and_command_tasks_in_order_and_the_pipeline_run_names_the_flow_run_as_its_parent()
    {
        string flow = WriteEtl();

        CliResult run = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State, "--json");

        Assert.Equal(0, run.ExitCode);
        JsonElement document = JsonSchemas.AssertValid("flow-run", run.Stdout);
        string flowRun = document.GetProperty("flow_run").GetProperty("run_id").GetString()!;
        var tasks = document.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(["extract", "clean", "report"], tasks.Select(t => t.GetProperty("task").GetString()));
        Assert.All(tasks, t => Assert.Equal("completed", t.GetProperty("state").GetString()));
        Assert.Equal(3, tasks[1].GetProperty("result").GetProperty("records_written").GetInt64());
        Assert.Equal(["rows 3"], tasks[2].GetProperty("result").GetProperty("lines").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(3, JsonlOutput.Ids(_dir.File("out/2024-02-29")).Count);
        // The pipeline's run is in the history under the flow run, which is there too (kind flow).
        var runs = JsonSchemas.AssertValid("runs", (await TestSupport.Sluice.RunAsync("runs", "--state", State, "--json")).Stdout)
            .GetProperty("runs").EnumerateArray().ToList();
        var pipelineRun = Assert.Single(runs, r => r.GetProperty("kind").GetString() == "pipeline");
        Assert.Equal(flowRun, pipelineRun.GetProperty("parent_run_id").GetString());
        Assert.Equal(tasks[1].GetProperty("pipeline_run_id").GetString(), pipelineRun.GetProperty("run_id").GetString());
        Assert.Contains(runs, r => r.GetProperty("kind").GetString() == "flow" && r.GetProperty("run_id").GetString() == flowRun);
    }

    [Fact]
    public async Task A_failed_flow_exits_1_and_the_next_run_resumes_it_without_running_its_completed_tasks_again()
    {
        string flow = WriteEtl(failReport: "true");

        CliResult failed = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State);
        WriteEtl(failReport: "false"); // the cause fixed
        CliResult resumed = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State);

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("report failed: exit code 4: report broke", failed.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("error: task 'report' failed: exit code 4: report broke", failed.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"flow run \S+ failed after .* \(2 completed, 1 failed\)", failed.Stdout);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains("resuming flow run", resumed.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"flow run \S+ succeeded in .*: 3 tasks \(3 completed\)", resumed.Stdout);
        Assert.Single(File.ReadAllLines(_dir.File("extract.log"))); // extract ran once over both runs
        Assert.Equal(3, JsonlOutput.Ids(_dir.File("out/2024-02-29")).Count); // and the rows were written once
    }

    [Fact]
    public async Task Flow_list_and_show_describe_the_runs_and_show_of_a_flow_run_prints_its_tasks()
    {
        string flow = WriteEtl(failReport: "true");
        await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State);

        JsonElement listed = JsonSchemas.AssertValid("flow-runs", (await TestSupport.Sluice.RunAsync("flow", "list", "--state", State, "--json")).Stdout);
        var item = Assert.Single(listed.GetProperty("flow_runs").EnumerateArray());
        string id = item.GetProperty("run").GetProperty("run_id").GetString()!;
        CliResult shown = await TestSupport.Sluice.RunAsync("flow", "show", id[..12], "--state", State, "--json");
        CliResult text = await TestSupport.Sluice.RunAsync("flow", "show", id, "--state", State, "--events");
        CliResult generic = await TestSupport.Sluice.RunAsync("show", id, "--state", State);

        Assert.Equal((2, 1), (item.GetProperty("tasks").GetProperty("completed").GetInt32(), item.GetProperty("tasks").GetProperty("failed").GetInt32()));
        Assert.Equal("failed", item.GetProperty("run").GetProperty("state").GetString());
        JsonElement document = JsonSchemas.AssertValid("flow-run", shown.Stdout);
        Assert.Equal(id, document.GetProperty("flow_run").GetProperty("run_id").GetString());
        Assert.Equal("2024-02-29", document.GetProperty("flow_run").GetProperty("parameters").GetProperty("day").GetString());
        Assert.Contains("report failed (attempt 1): exit code 4: report broke", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("param day", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("error: task 'report' failed", generic.Stdout, StringComparison.Ordinal);
        Assert.Contains("│ clean ", generic.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_of_an_ended_flow_run_says_there_is_nothing_to_cancel_and_of_an_unknown_one_is_not_found()
    {
        await TestSupport.Sluice.RunAsync("flow", "run", WriteEtl(), "--state", State);
        string id = JsonDocument.Parse((await TestSupport.Sluice.RunAsync("flow", "list", "--state", State, "--json")).Stdout)
            .RootElement.GetProperty("flow_runs")[0].GetProperty("run").GetProperty("run_id").GetString()!;

        CliResult ended = await TestSupport.Sluice.RunAsync("flow", "cancel", id, "--state", State);
        CliResult unknown = await TestSupport.Sluice.RunAsync("flow", "cancel", "nope", "--state", State);
        CliResult noState = await TestSupport.Sluice.RunAsync("flow", "show", id, "--state", _dir.File("none.db"));

        Assert.Equal((0, $"flow run {id} is not running (it succeeded): nothing to cancel"), (ended.ExitCode, ended.Stdout.Trim()));
        Assert.Equal(4, unknown.ExitCode);
        Assert.Equal(4, noState.ExitCode);
        Assert.False(File.Exists(_dir.File("none.db")));
    }

    /// <summary>A pipeline task is saved again once its run has an id; that is not a state change, and was once
    /// printed as a second "clean running".</summary>
    [Fact]
    public async Task Each_state_change_is_printed_once()
    {
        string flow = WriteEtl();

        CliResult run = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Single(lines, l => l == "clean running");
        Assert.Single(lines, l => l.StartsWith("clean completed in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_running_flow_is_cancelled_from_another_process_and_ends_130()
    {
        string flow = _dir.Write("slow.yaml", """
            name: slow
            tasks:
              wait:
                command: [sleep, "60"]
            """);
        using var process = SluiceProcess.Start(new Dictionary<string, string>(), "flow", "run", flow, "--state", State);
        string? id = null;
        for (int i = 0; i < 200 && id is null; i++)
        {
            await Task.Delay(100);
            var list = await TestSupport.Sluice.RunAsync("flow", "list", "--state", State, "--json");
            if (list.ExitCode == 0 && JsonDocument.Parse(list.Stdout).RootElement.GetProperty("flow_runs") is { } runs && runs.GetArrayLength() > 0
                && runs[0].GetProperty("tasks").TryGetProperty("running", out _))
            {
                id = runs[0].GetProperty("run").GetProperty("run_id").GetString();
            }
        }
        Assert.NotNull(id);

        CliResult cancel = await TestSupport.Sluice.RunAsync("flow", "cancel", id, "--state", State);
        bool exited = process.WaitForExit(TimeSpan.FromSeconds(20));

        Assert.Equal(0, cancel.ExitCode);
        Assert.True(exited, "the flow did not stop");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("wait cancelled", await process.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_limit_holds_across_two_processes_sharing_the_state_file()
    {
        // Each instance logs when it starts and ends; with limits { db: 1 } no two intervals may overlap, though
        // the two processes and each flow's own instances would all run at once without it.
        string task = "echo \"start $(date +%s%N)\" >> ../db.log; sleep 0.4; echo \"end $(date +%s%N)\" >> ../db.log";
        string[] flows = ["a", "b"];
        foreach (string name in flows)
        {
            Directory.CreateDirectory(_dir.File(name));
            _dir.Write($"{name}/flow.yaml", $$"""
                name: {{name}}
                limits: { db: 1 }
                tasks:
                  load:
                    command: [bash, -c, "{{task.Replace("\"", "\\\"")}}"]
                    tags: [db]
                    map: { items: [1, 2, 3], parallel: 3 }
                """);
        }

        var results = await Task.WhenAll(flows.Select(name => SluiceProcess.RunAsync("flow", "run", _dir.File($"{name}/flow.yaml"), "--state", State)));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var events = File.ReadAllLines(_dir.File("db.log")).Select(l => l.Split(' ')).Select(p => (Kind: p[0], At: long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(e => e.At).ToList();
        Assert.Equal(12, events.Count);
        for (int i = 0; i < events.Count; i += 2)
        {
            Assert.Equal(("start", "end"), (events[i].Kind, events[i + 1].Kind)); // strictly one at a time
        }
    }

    [Theory]
    [InlineData("--param", "nope=1", "flow 'etl' has no parameter 'nope'; it declares: day")]
    [InlineData("--param", "=1", "--param takes NAME=VALUE")]
    [InlineData("--param", "day", "--param takes NAME=VALUE")]
    public async Task A_bad_parameter_is_refused_before_anything_runs(string option, string value, string message)
    {
        string flow = WriteEtl();

        CliResult result = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State, option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("extract.log")));
    }

    [Theory]
    [InlineData(false, "2024-01-05", "flow 'days' has no partitions: run it without a partition, or give it `partitions:`")]
    [InlineData(true, "2024-1-5", "partition '2024-1-5' is not a day: write it YYYY-MM-DD (2024-01-31)")]
    [InlineData(true, "2023-12-31", "partition 2023-12-31 is outside the flow's partitions (daily from 2024-01-01 to 2024-01-31)")]
    [InlineData(true, null, "flow 'days' is partitioned (daily from 2024-01-01 to 2024-01-31): give the day a run computes (`flow run --partition YYYY-MM-DD`), or a range of days to `flow backfill`")]
    public async Task A_partition_the_flow_does_not_have_is_refused_before_anything_runs(bool partitioned, string? partition, string message)
    {
        string flow = _dir.Write("days.yaml", $$"""
            name: days
            {{(partitioned ? "partitions: daily from 2024-01-01 to 2024-01-31" : "")}}
            tasks:
              a: { command: [bash, -c, "echo ran >> ran.log"] }
            """);

        CliResult result = await TestSupport.Sluice.RunAsync(["flow", "run", flow, "--state", State, .. partition is null ? [] : new[] { "--partition", partition }]);

        Assert.Equal((2, message), (result.ExitCode, result.Stderr.Trim()));
        Assert.False(File.Exists(_dir.File("ran.log")));
    }

    [Fact]
    public async Task A_broken_flow_file_exits_2_with_every_problem_at_its_place()
    {
        string flow = _dir.Write("flow.yaml", """
            name: broken
            tasks:
              a:
                command: [echo]
                depends_on: [ghost]
                timeout: soon
            """);

        CliResult result = await TestSupport.Sluice.RunAsync("flow", "run", flow, "--state", State);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("flow.yaml:4:5: task 'a': depends_on names 'ghost', which is not a task of this flow", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("flow.yaml:6:14: task 'a': timeout must be a duration", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(State)); // nothing recorded
    }

    [Fact]
    public async Task Run_param_fills_a_pipeline_files_references_and_a_missing_one_is_a_problem_at_its_place()
    {
        WriteEtl();
        string pipeline = _dir.File("clean.yaml");

        CliResult missing = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State);
        CliResult valid = await TestSupport.Sluice.RunAsync("validate", pipeline, "--param", "day=2024-02-29");
        CliResult run = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State, "--param", "day=2024-02-29");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("clean.yaml:2:28: ", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no parameter 'day' was given for ${params.day}", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, valid.ExitCode);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, JsonlOutput.Ids(_dir.File("out/2024-02-29")).Count);
    }

    [Fact]
    public async Task The_flow_file_reference_in_docs_is_what_the_command_generates_and_the_schema_is_JSON()
    {
        CliResult docs = await TestSupport.Sluice.RunAsync("docs", "flow-file");
        CliResult schema = await TestSupport.Sluice.RunAsync("flow", "schema");

        string committed = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "flow-file.md"));
        Assert.True(committed == docs.Stdout,
            "docs/flow-file.md is out of date: regenerate it with `dotnet run --project src/Sluice.Cli -c Release -- docs flow-file > docs/flow-file.md`");
        Assert.Equal("object", JsonDocument.Parse(schema.Stdout).RootElement.GetProperty("type").GetString());
    }
}
