using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// <c>run</c>, <c>validate</c>, <c>schema</c> and <c>docs</c> end to end: a real pipeline file over a real CSV file,
/// written to JSON Lines, with its state in a real SQLite file. These need the engine (loader, runner, connectors).
/// </summary>
public sealed class EngineCommandTests : IDisposable
{
    private const string Pipeline = """
        name: orders
        source:
          type: csv
          path: data/*.csv
        contract:
          fields:
            id: { type: int64, min: 1, required: true }
            name: { type: string, required: true }
        transforms:
          - filter: id > 1
        sink:
          type: jsonl
          path: out
        """;

    // Six records: 'x' and 0 break the contract (dead), 1 is filtered out, 2, 3 and 5 are written.
    private const string Csv = "id,name\n1,a\n2,b\n3,c\nx,d\n0,e\n5,f\n";

    private readonly TempDir _dir = new();
    private readonly string _state;

    public EngineCommandTests()
    {
        _dir.Write("data/orders.csv", Csv);
        _state = _dir.File("state/state.db");
    }

    public void Dispose() => _dir.Dispose();

    private static string[] Cells(string output, string stage) =>
        output.Split('\n').Single(line => line.StartsWith($"│ {stage} ", StringComparison.Ordinal))
            .Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Run_prints_the_summary_with_balanced_counts_and_exits_0()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal("", result.Stderr);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(["filter", "transform", "4", "3", "1", "0"], Cells(result.Stdout, "filter")[..6]);
        Assert.Equal(["sink", "sink", "3", "3", "0", "0"], Cells(result.Stdout, "sink")[..6]);
        foreach (string stage in new[] { "source", "contract", "filter", "sink" })
            Assert.Equal("✓", Cells(result.Stdout, stage)[^1]);
        Assert.Contains("in 6 = out 3 + dead 2 + filtered 1", result.Stdout);

        string published = result.Stdout.Split('\n').Single(l => l.StartsWith("published ", StringComparison.Ordinal))["published ".Length..].Trim();
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir.Path, published)).Length);

        Assert.Matches(@"(?m)^checkpoints 1 \(\d+ ms spent checkpointing\)$", result.Stdout);

        string[] lines = result.Stdout.TrimEnd().Split('\n');
        Assert.Matches(@"^run \d{8}-\d{6}-[0-9a-f]{6} succeeded in \d", lines[^2]);
        Assert.Matches($@"^dead letters: sluice dlq list --run \d{{8}}-\d{{6}}-[0-9a-f]{{6}} --state {System.Text.RegularExpressions.Regex.Escape(_state)}$", lines[^1]);
    }

    [Fact]
    public async Task Show_lists_the_files_the_run_published()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        CliResult run = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);
        string id = System.Text.RegularExpressions.Regex.Match(run.Stdout, @"run (\d{8}-\d{6}-[0-9a-f]{6}) succeeded").Groups[1].Value;

        CliResult show = await TestSupport.Sluice.RunAsync("show", id, "--state", _state);

        string published = Assert.Single(Directory.GetFiles(_dir.File("out"), "*.jsonl"));
        Assert.Contains($"published {published} (sink)", show.Stdout); // and by which sink stage
    }

    [Fact]
    public async Task A_run_is_recorded_with_its_dead_letters()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", _state);
        CliResult letters = await TestSupport.Sluice.RunAsync("dlq", "list", "--pipeline", "orders", "--state", _state);

        Assert.Contains("│ orders ", runs.Stdout);
        Assert.Contains("orders.csv:5", letters.Stdout);
        Assert.Contains("orders.csv:6", letters.Stdout);
    }

    [Fact]
    public async Task Without_state_option_the_state_goes_beside_the_pipeline_file()
    {
        if (Environment.GetEnvironmentVariable(StatePaths.EnvironmentVariable) is not null)
            return; // The developer's own SLUICE_STATE rightly wins; StatePathsTests cover the rule.
        string file = _dir.Write("pipeline.yaml", Pipeline);

        CliResult result = await TestSupport.Sluice.RunAsync("run", file);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.True(File.Exists(_dir.File(".sluice/state.db")));
    }

    [Fact]
    public async Task A_run_while_another_process_holds_the_pipeline_exits_5()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        Directory.CreateDirectory(Path.GetDirectoryName(_state)!);
        await using (var other = await SqliteStateStore.OpenAsync(_state))
        {
            await other.AcquireLeaseAsync("orders", "other-host:42:abcd", TimeSpan.FromMinutes(5));
        }

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Busy, result.ExitCode);
        Assert.Contains("already being run by other-host:42:abcd", result.Stderr);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public async Task A_run_says_when_it_ends_a_run_whose_process_died()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        Directory.CreateDirectory(Path.GetDirectoryName(_state)!);
        string crashed;
        await using (var store = await SqliteStateStore.OpenAsync(_state))
        {
            crashed = (await store.StartRunAsync("orders")).Id;
        }

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains($"run {crashed} had stopped without ending (its process died)", result.Stdout);
    }

    [Fact]
    public async Task A_second_run_over_the_same_files_reads_nothing_new()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        await TestSupport.Sluice.RunAsync("run", file, "--state", _state);
        _dir.Write("data/more.csv", "id,name\n7,g\n");

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("in 1 = out 1 + dead 0 + filtered 0", result.Stdout);
        Assert.Equal(4, JsonlOutput.Ids(_dir.File("out")).Count);
    }

    [Fact]
    public async Task A_run_killed_after_its_checkpoint_is_resumed_and_says_so()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        var crash = new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit:1" };

        CliResult killed = await SluiceProcess.RunAsync(crash, "run", file, "--state", _state);
        Assert.Equal(137, killed.ExitCode); // SIGKILL
        Assert.Contains("SLUICE_CRASH_AT: killing the process at after-store-commit (checkpoint 1)", killed.Stderr);
        Assert.Empty(Directory.GetFiles(_dir.File("out"), "*.jsonl")); // stored, not yet published
        CliResult resumed = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, resumed.ExitCode);
        Assert.Matches(@"(?m)^resuming run \d{8}-\d{6}-[0-9a-f]{6} from checkpoint 1, 3 records already committed$", resumed.Stdout);
        Assert.Equal(3, JsonlOutput.Ids(_dir.File("out")).Count);
        Assert.Empty(Directory.GetFiles(_dir.File("out"), "*.inprogress"));
    }

    [Fact]
    public async Task Fresh_after_a_kill_publishes_what_the_killed_run_committed_and_removes_the_rest()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        var crash = new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit:1" };
        CliResult killed = await SluiceProcess.RunAsync(crash, "run", file, "--state", _state);
        Assert.Equal(137, killed.ExitCode);
        _dir.Write("out/part-elsewhere-00000.jsonl.inprogress", "{}\n"); // another writer's: never touched

        CliResult fresh = await TestSupport.Sluice.RunAsync("run", file, "--state", _state, "--fresh");

        Assert.Equal(ExitCodes.Ok, fresh.ExitCode);
        Assert.Matches(@"(?m)^--fresh: run \d{8}-\d{6}-[0-9a-f]{6} is closed without resuming; the 3 records", fresh.Stdout);
        Assert.Contains("in 0 = out 0 + dead 0 + filtered 0", fresh.Stdout); // its checkpoint had consumed the file
        Assert.Equal(3, JsonlOutput.Ids(_dir.File("out")).Count);
        Assert.Equal(["part-elsewhere-00000.jsonl.inprogress"], Directory.GetFiles(_dir.File("out"), "*.inprogress").Select(Path.GetFileName));
    }

    [Fact]
    public async Task Fresh_after_a_kill_keeps_each_dead_letter_of_the_killed_run_once()
    {
        // Checkpoint 1 commits the first batch and its 2 dead letters; the kill comes before checkpoint 2, which would
        // have recorded the file as consumed. --fresh reads the file again: its 2 bad records must not be queued twice.
        string file = _dir.Write("pipeline.yaml", Pipeline + "\ncheckpoint: { every_records: 1 }\n");
        var crash = new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-prepare:2" };
        CliResult killed = await SluiceProcess.RunAsync(crash, "run", file, "--state", _state);
        Assert.Equal(137, killed.ExitCode);
        Assert.Equal(2, Letters(await TestSupport.Sluice.RunAsync("dlq", "list", "--state", _state)));

        CliResult fresh = await TestSupport.Sluice.RunAsync("run", file, "--state", _state, "--fresh");

        Assert.Equal(ExitCodes.Ok, fresh.ExitCode);
        Assert.Contains("in 6 = out 3 + dead 2 + filtered 1", fresh.Stdout); // the file was read again
        Assert.Equal(2, Letters(await TestSupport.Sluice.RunAsync("dlq", "list", "--state", _state)));
    }

    /// <summary>Rows of a <c>dlq list</c> table: one per letter, each naming the file and line of its record.</summary>
    private static int Letters(CliResult list) => list.Stdout.Split('\n').Count(l => l.Contains("orders.csv:", StringComparison.Ordinal));

    [Fact]
    public async Task A_broken_quality_gate_exits_3()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline + "\ndead_letter:\n  max_count: 1\n");

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.QualityGateFailed, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("failed its quality gate", result.Stdout);
        // Its one checkpoint was not committed, so none of its letters is in the queue, and the summary says so.
        Assert.Contains("dead letters: none of the 2 is queued", result.Stdout);
        Assert.Equal(0, Letters(await TestSupport.Sluice.RunAsync("dlq", "list", "--state", _state)));
        string id = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"run (\S+) failed its quality gate").Groups[1].Value;
        Assert.Contains("dead letters: none of the 2 is queued", (await TestSupport.Sluice.RunAsync("show", id, "--state", _state)).Stdout);
    }

    /// <summary>The contract feeds two sinks, one of them behind a filter; <c>{min}</c> is the contract's lowest id.</summary>
    private const string FanOut = """
        name: orders
        stages:
          - name: source
            source: { type: csv, path: data/*.csv }
          - name: contract
            from: source
            contract:
              fields:
                id: { type: int64, min: {min}, required: true }
                name: { type: string, required: true }
          - name: all
            from: contract
            sink: { type: jsonl, path: out/all }
          - name: filter
            from: contract
            filter: id > 1
          - name: some
            from: filter
            sink: { type: jsonl, path: out/some }
        """;

    [Fact]
    public async Task A_fan_out_to_two_sinks_balances_each_sink_in_the_summary_runs_and_show()
    {
        string file = _dir.Write("pipeline.yaml", FanOut.Replace("{min}", "1", StringComparison.Ordinal));

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        // Each of the 6 records read goes to both sinks: one equation per sink holds, a run-wide one cannot.
        Assert.Contains("sink all: in 6 = out 4 + dead 2 + filtered 0", result.Stdout);
        Assert.Contains("sink some: in 6 = out 3 + dead 2 + filtered 1", result.Stdout);
        Assert.DoesNotContain("≠", result.Stdout);
        Assert.DoesNotContain("published 4 of", result.Stdout); // everything out was published
        string id = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"run (\d{8}-\d{6}-[0-9a-f]{6}) succeeded").Groups[1].Value;

        CliResult show = await TestSupport.Sluice.RunAsync("show", id, "--state", _state);
        Assert.Contains("sink all: in 6 = out 4 + dead 2 + filtered 0", show.Stdout);
        Assert.Contains("sink some: in 6 = out 3 + dead 2 + filtered 1", show.Stdout);
        Assert.Contains("read 6, written 7, published 7, filtered 1, dead 2", show.Stdout);
        Assert.DoesNotContain("≠", show.Stdout);

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", _state);
        Assert.Equal(["6", "7", "7", "1", "2"], Cells(runs.Stdout, id)[^5..]);
        Assert.Contains("written: records the sinks wrote, once per sink", runs.Stdout);
        Assert.Contains("Per sink, in = out + dead + filtered", runs.Stdout);
    }

    [Fact]
    public async Task A_replay_into_a_fan_out_balances_each_sink()
    {
        string file = _dir.Write("pipeline.yaml", FanOut.Replace("{min}", "1", StringComparison.Ordinal));
        await TestSupport.Sluice.RunAsync("run", file, "--state", _state);
        string fixedFile = _dir.Write("fixed.yaml", FanOut.Replace("{min}", "0", StringComparison.Ordinal));

        CliResult replay = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", fixedFile, "--state", _state);

        // Id 0 now passes the contract and goes to both sinks (the filter drops it before one); 'x' fails again.
        Assert.Equal(ExitCodes.Ok, replay.ExitCode);
        Assert.Contains("sink all: in 2 = out 1 + dead 1 + filtered 0", replay.Stdout);
        Assert.Contains("sink some: in 2 = out 0 + dead 1 + filtered 1", replay.Stdout);
        Assert.DoesNotContain("≠", replay.Stdout);
    }

    [Fact]
    public async Task A_run_that_fails_at_its_final_checkpoint_shows_what_it_wrote_apart_from_what_it_published()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline + "\ndead_letter:\n  max_count: 1\n");

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.QualityGateFailed, result.ExitCode);
        Assert.Empty(Directory.Exists(_dir.File("out")) ? Directory.GetFiles(_dir.File("out"), "*.jsonl") : []);
        Assert.Contains("in 6 = out 3 + dead 2 + filtered 1", result.Stdout); // what the stages did
        Assert.Contains("published 0 of the 3 records out: the rest were written after the last checkpoint and are not in the output", result.Stdout);
        string id = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"run (\d{8}-\d{6}-[0-9a-f]{6}) failed").Groups[1].Value;

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", _state);
        Assert.Equal(["6", "3", "0", "1", "2"], Cells(runs.Stdout, id)[^5..]);
        CliResult show = await TestSupport.Sluice.RunAsync("show", id, "--state", _state);
        Assert.Contains("read 6, written 3, published 0, filtered 1, dead 2", show.Stdout);
        Assert.Contains("published 0 of the 3 records out", show.Stdout);
    }

    [Fact]
    public async Task A_cancelled_run_exits_130()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int code = await Cli.InvokeAsync(["run", file, "--state", _state], stdout, stderr, new CancellationToken(canceled: true));

        Assert.Equal(ExitCodes.Cancelled, code);
    }

    [Fact]
    public async Task Run_of_an_invalid_file_exits_2_with_positioned_diagnostics()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline.Replace("  path: data/*.csv", "  path: data/*.csv\n  delimter: ';'"));

        CliResult result = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"pipeline\.yaml:5:3: .*unknown key 'delimter'", result.Stderr);
        Assert.False(File.Exists(_state));
    }

    [Fact]
    public async Task Validate_of_a_valid_file_names_its_stages()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline);

        CliResult result = await TestSupport.Sluice.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("ok: pipeline 'orders' is valid (4 stages: source, contract, filter, sink)", result.Stdout.Trim());
    }

    [Fact]
    public async Task Validate_prints_every_problem_as_file_line_col_and_exits_2()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline
            .Replace("  path: data/*.csv", "  path: data/*.csv\n  delimter: ';'")
            .Replace("filter: id > 1", "filter: idd > 1"));

        CliResult result = await TestSupport.Sluice.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string[] lines = result.Stderr.TrimEnd().Split('\n');
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"pipeline\.yaml:5:3: .*'delimter'"));
        Assert.All(lines, l => Assert.Matches(@"pipeline\.yaml:\d+:\d+: ", l));
    }

    [Fact]
    public async Task Schema_prints_a_json_schema()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("schema");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        using JsonDocument schema = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, schema.RootElement.ValueKind);
        Assert.Contains("\"csv\"", result.Stdout);
    }

    [Fact]
    public async Task Docs_pipeline_file_prints_the_markdown_reference()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("docs", "pipeline-file");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.StartsWith("#", result.Stdout);
        Assert.Contains("csv", result.Stdout);
    }

    /// <summary>docs/pipeline-file.md is what the command generates: the built-in components and the connectors it
    /// ships with (postgres, redis_stream, nats_jetstream), so the reference cannot drift from the declarations.</summary>
    [Fact]
    public async Task The_committed_reference_matches_the_one_the_command_generates()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("docs", "pipeline-file");

        string committed = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "pipeline-file.md"));
        Assert.True(committed == result.Stdout,
            "docs/pipeline-file.md is out of date: regenerate it with `dotnet run --project src/Sluice.Cli -c Release -- docs pipeline-file > docs/pipeline-file.md`");
        Assert.Contains("### `sink: { type: postgres }`", committed);
        Assert.Contains("### `source: { type: postgres }`", committed);
        Assert.Contains("### `source: { type: redis_stream }`", committed);
    }

    [Fact]
    public async Task The_schema_knows_the_connectors_the_command_ships_with()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("schema");

        Assert.Contains("\"const\": \"postgres\"", result.Stdout);
        Assert.Contains("\"const\": \"redis_stream\"", result.Stdout);
    }
}
