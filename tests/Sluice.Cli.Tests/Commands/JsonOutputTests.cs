using System.Text;
using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// <c>--json</c> of every command on a real pipeline: each document meets its schema in docs/json, and says what the
/// human output says (counts, ids, files, exit codes).
/// </summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    [Fact]
    public async Task Run_runs_show_and_dlq_list_describe_the_flights_run_with_its_counts()
    {
        string pipeline = RepositoryFiles.CopyFlightsExample(_dir);

        CliResult run = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State, "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        JsonElement summary = JsonSchemas.AssertValid("run", run.Stdout);
        string id = summary.GetProperty("run_id").GetString()!;
        Assert.Equal("succeeded", summary.GetProperty("state").GetString());
        Assert.Equal(0, summary.GetProperty("exit_code").GetInt32());
        Assert.Equal((20_060, 20_014, 5, 41), Totals(summary));
        JsonElement sink = Assert.Single(summary.GetProperty("sinks").EnumerateArray());
        Assert.Equal((20_060L, 20_014L, 41L, 5L, true),
            (sink.GetProperty("in").GetInt64(), sink.GetProperty("out").GetInt64(), sink.GetProperty("dead_lettered").GetInt64(),
             sink.GetProperty("filtered").GetInt64(), sink.GetProperty("balances").GetBoolean()));
        Assert.Equal(["source", "contract", "filter", "derive", "select", "sink"],
            summary.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        string published = Assert.Single(summary.GetProperty("published_files").EnumerateArray()).GetString()!;
        Assert.True(File.Exists(published), published);
        Assert.Equal((41L, 41L), (summary.GetProperty("dead_letters").GetProperty("count").GetInt64(),
            summary.GetProperty("dead_letters").GetProperty("queued").GetInt64()));
        Assert.Equal("", run.Stderr);

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", State, "--json");
        JsonElement listed = Assert.Single(JsonSchemas.AssertValid("runs", runs.Stdout).GetProperty("runs").EnumerateArray());
        Assert.Equal(id, listed.GetProperty("run_id").GetString());
        Assert.Equal((20_060, 20_014, 5, 41), Totals(listed));

        CliResult show = await TestSupport.Sluice.RunAsync("show", id[..15], "--state", State, "--json");
        JsonElement shown = JsonSchemas.AssertValid("show", show.Stdout);
        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Equal(id, shown.GetProperty("run_id").GetString());
        Assert.Equal((20_060, 20_014, 5, 41), Totals(shown));
        Assert.Equal(published, Assert.Single(shown.GetProperty("published_files").EnumerateArray()).GetProperty("path").GetString());
        Assert.Equal(20_014, Assert.Single(shown.GetProperty("checkpoints").EnumerateArray()).GetProperty("records_committed").GetInt64());

        CliResult dlq = await TestSupport.Sluice.RunAsync("dlq", "list", "--run", id, "--state", State, "--json", "--limit", "100");
        var letters = JsonSchemas.AssertValid("dlq-list", dlq.Stdout).GetProperty("dead_letters").EnumerateArray().ToList();
        Assert.Equal(41, letters.Count);
        Assert.Equal(11, letters.Count(l => l.GetProperty("stage").GetString() == "source"));
        Assert.Equal(30, letters.Count(l => l.GetProperty("stage").GetString() == "contract"));
    }

    private static (long Read, long Written, long Filtered, long Dead) Totals(JsonElement document)
    {
        JsonElement t = document.GetProperty("totals");
        return (t.GetProperty("read").GetInt64(), t.GetProperty("written").GetInt64(), t.GetProperty("filtered").GetInt64(),
            t.GetProperty("dead_lettered").GetInt64());
    }

    [Fact]
    public async Task Dlq_show_gives_the_original_bytes_as_base64_and_as_text_only_when_they_are_utf8()
    {
        byte[] csv = [.. "id,name\n1,a\nx,caf\u00e9\ny,"u8, 0xFF, (byte)'\n'];
        _dir.Write("data/a.csv", csv);
        string pipeline = _dir.Write("pipeline.yaml", """
            name: bytes
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: out }
            """);
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State)).ExitCode);
        var letters = JsonSchemas.AssertValid("dlq-list", (await TestSupport.Sluice.RunAsync("dlq", "list", "--state", State, "--json")).Stdout)
            .GetProperty("dead_letters").EnumerateArray().ToList();
        Assert.Equal(2, letters.Count);

        var originals = new List<(byte[] Bytes, string? Text)>();
        foreach (JsonElement letter in letters)
        {
            CliResult show = await TestSupport.Sluice.RunAsync("dlq", "show", letter.GetProperty("id").GetString()!, "--state", State, "--json");
            JsonElement shown = JsonSchemas.AssertValid("dlq-show", show.Stdout);
            Assert.True(JsonElement.DeepEquals(letter, shown.GetProperty("dead_letter")), "dlq show and dlq list disagree on a letter");
            JsonElement original = shown.GetProperty("original");
            byte[] bytes = Convert.FromBase64String(original.GetProperty("base64").GetString()!);
            Assert.Equal(bytes.Length, original.GetProperty("length").GetInt32());
            originals.Add((bytes, original.GetProperty("text").GetString()));
        }

        Assert.Contains(originals, o => o.Bytes.SequenceEqual("x,caf\u00e9"u8.ToArray()) && o.Text == "x,caf\u00e9");
        Assert.Contains(originals, o => o.Bytes.SequenceEqual(new byte[] { (byte)'y', (byte)',', 0xFF }) && o.Text is null);
    }

    [Fact]
    public async Task A_run_that_breaks_its_gate_has_its_expectations_error_and_exit_code_in_the_summary_and_in_show()
    {
        _dir.Write("data/orders.csv", "id,name\n1,a\n2,b\n3,\n4,c\n5,d\n");
        string pipeline = _dir.Write("pipeline.yaml", """
            name: orders
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: out }
            expect:
              - null_ratio: { column: name, max: 0.1 }
                on_fail: warn
              - row_count: { min: 6 }
            """);

        CliResult run = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State, "--json");

        Assert.Equal(ExitCodes.QualityGateFailed, run.ExitCode);
        JsonElement summary = JsonSchemas.AssertValid("run", run.Stdout);
        Assert.Equal(("quality-gate-failed", 3), (summary.GetProperty("state").GetString(), summary.GetProperty("exit_code").GetInt32()));
        Assert.False(string.IsNullOrEmpty(summary.GetProperty("error").GetString()));
        Assert.Contains("error: " + summary.GetProperty("error").GetString(), run.Stderr);
        var expectations = summary.GetProperty("expectations").EnumerateArray()
            .Select(e => (e.GetProperty("expectation").GetString(), e.GetProperty("measured").GetString(), e.GetProperty("outcome").GetString()))
            .ToList();
        Assert.Equal([("null_ratio(name) ≤ 0.1", "0.2 (1 of 5)", "warning"), ("row_count ≥ 6", "5", "failed")], expectations);

        CliResult show = await TestSupport.Sluice.RunAsync("show", summary.GetProperty("run_id").GetString()!, "--state", State, "--json");
        JsonElement shown = JsonSchemas.AssertValid("show", show.Stdout);
        Assert.True(JsonElement.DeepEquals(summary.GetProperty("expectations"), shown.GetProperty("expectations")), show.Stdout);
        Assert.Equal(summary.GetProperty("error").GetString(), shown.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Validate_lists_every_problem_with_its_place_and_exits_as_without_json()
    {
        string pipeline = RepositoryFiles.CopyFlightsExample(_dir);
        string broken = _dir.Write("broken.yaml", File.ReadAllText(pipeline)
            .Replace("filter: distance > 0", "filter: distanse > 0").Replace("min: -120", "min: abc"));

        CliResult valid = await TestSupport.Sluice.RunAsync("validate", pipeline, "--json");
        CliResult invalid = await TestSupport.Sluice.RunAsync("validate", broken, "--json");
        CliResult plain = await TestSupport.Sluice.RunAsync("validate", broken);

        Assert.Equal(ExitCodes.Ok, valid.ExitCode);
        JsonElement ok = JsonSchemas.AssertValid("validate", valid.Stdout);
        Assert.True(ok.GetProperty("valid").GetBoolean());
        Assert.Equal("flights-clean", ok.GetProperty("pipeline").GetString());
        Assert.Equal(ExitCodes.Invalid, invalid.ExitCode);
        JsonElement bad = JsonSchemas.AssertValid("validate", invalid.Stdout);
        Assert.False(bad.GetProperty("valid").GetBoolean());
        var problems = bad.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("file").GetString()}:{p.GetProperty("line").GetInt32()}:{p.GetProperty("column").GetInt32()}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.Equal(2, problems.Count);
        // The same problems, in the same order and words, as the lines validate prints without --json.
        Assert.Equal(plain.Stderr.TrimEnd().Split('\n'), problems);
        Assert.Equal(plain.Stderr, invalid.Stderr);
    }

    [Theory]
    [InlineData(ExitCodes.NotFound, "show", "no-such-run")]
    [InlineData(ExitCodes.NotFound, "dlq", "show", "999")]
    [InlineData(ExitCodes.NotFound, "dlq", "list", "--run", "no-such-run")]
    [InlineData(ExitCodes.Invalid, "runs", "--limit", "0")]
    [InlineData(ExitCodes.Invalid, "run", "missing.yaml")]
    [InlineData(ExitCodes.Invalid, "run", "pipeline.yaml", "--progress-interval", "-1")]
    public async Task An_error_is_a_json_document_on_stdout_besides_the_error_line_on_stderr(int exitCode, params string[] args)
    {
        string pipeline = RepositoryFiles.CopyFlightsExample(_dir);
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State)).ExitCode);
        string[] inDir = [.. args.Select(a => a.EndsWith(".yaml", StringComparison.Ordinal) ? _dir.File(a) : a)];

        CliResult result = await TestSupport.Sluice.RunAsync([.. inDir, "--json", "--state", State]);

        Assert.Equal(exitCode, result.ExitCode);
        JsonElement error = JsonSchemas.AssertValid("error", result.Stdout).GetProperty("error");
        Assert.Equal(exitCode, error.GetProperty("exit_code").GetInt32());
        Assert.StartsWith("error: " + error.GetProperty("message").GetString(), result.Stderr);
    }

    [Fact]
    public async Task Run_of_an_invalid_pipeline_lists_its_problems_in_the_error_document()
    {
        string pipeline = RepositoryFiles.CopyFlightsExample(_dir);
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("filter: distance > 0", "filter: distanse > 0"));

        CliResult result = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State, "--json");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        JsonElement problem = Assert.Single(JsonSchemas.AssertValid("error", result.Stdout).GetProperty("error").GetProperty("problems").EnumerateArray());
        Assert.Equal((pipeline, 15, 13), (problem.GetProperty("file").GetString(), problem.GetProperty("line").GetInt32(), problem.GetProperty("column").GetInt32()));
        Assert.StartsWith("filter: unknown column 'distanse'", problem.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Runs_without_a_state_file_says_so_in_the_document()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("runs", "--state", State, "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        JsonElement runs = JsonSchemas.AssertValid("runs", result.Stdout);
        Assert.False(runs.GetProperty("state_file_exists").GetBoolean());
        Assert.Equal(0, runs.GetProperty("runs").GetArrayLength());
        Assert.False(File.Exists(State));
    }

    [Theory]
    [InlineData("""{"state_file": "s.db", "state_file_exists": true, "runs": [], "extra": 1}""")]
    [InlineData("""{"state_file": "s.db", "state_file_exists": "yes", "runs": []}""")]
    [InlineData("""{"state_file": "s.db", "runs": []}""")]
    public void The_schemas_refuse_a_document_with_an_unknown_key_a_wrong_type_or_a_missing_key(string document)
    {
        // Without this, a schema that accepts anything would let every test above pass.
        Assert.False(JsonSchemas.Evaluate("runs", JsonDocument.Parse(document).RootElement).IsValid);
    }
}
