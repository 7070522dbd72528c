using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Plugins;

/// <summary>
/// A user's assembly of components (tests/Fixtures/CustomerStages: the <c>enrich_customers</c> transform and the
/// <c>json_array</c> sink) used from a pipeline file through <c>plugins:</c>, as a user runs it: checked, run and
/// described like the built-in components, and every way a plugin can fail is one positioned line with exit 2.
/// </summary>
public sealed class PluginTests : IDisposable
{
    private static readonly string Plugin = Path.Combine(AppContext.BaseDirectory, "plugins", "CustomerStages", "CustomerStages.dll");

    private readonly TempDir _dir = new();

    public PluginTests()
    {
        // Two files: a batch never spans two, so a checkpoint falls between them.
        _dir.Write("data/a.csv", "id,customer,amount\n1,acme,10\n2,globex,20\n3,initech,30\n");
        _dir.Write("data/b.csv", "id,customer,amount\n4,acme,40\n5,hooli,50\n");
    }

    public void Dispose() => _dir.Dispose();

    private string Pipeline(string enrich = "customer_column: customer\n      tiers: { acme: gold, globex: silver }\n      default_tier: standard",
        string sink = "path: out", string? plugins = null) =>
        _dir.Write("pipeline.yaml", $"""
            name: orders
            plugins: [{plugins ?? Path.GetRelativePath(_dir.Path, Plugin)}]
            source:
              type: csv
              path: data/*.csv
            transforms:
              - enrich_customers:
                  {enrich}
            sink:
              type: json_array
              {sink}
            checkpoint: {"{"} every_records: 2, every_seconds: 0 {"}"}
            """);

    [Fact]
    public async Task A_pipeline_with_a_custom_transform_and_sink_runs_end_to_end_through_the_cli()
    {
        string file = Pipeline();

        CliResult result = await SluiceProcess.RunAsync("run", file, "--state", _dir.File("state.db"));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Stdout + result.Stderr);
        var files = Directory.GetFiles(_dir.File("out")).Order().ToList();
        Assert.All(files, f => Assert.EndsWith(".json", f)); // every prepared file was published, none left in progress
        Assert.True(files.Count == 2, $"one file per checkpoint: {files.Count}");
        var rows = files.SelectMany(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("id").GetString(), r.GetProperty("customer").GetString(), r.GetProperty("tier").GetString()))).ToList();
        Assert.Equal([("1", "acme", "gold"), ("2", "globex", "silver"), ("3", "initech", "standard"), ("4", "acme", "gold"), ("5", "hooli", "standard")], rows);
        Assert.Contains("in 5 = out 5 + dead 0 + filtered 0", result.Stdout);
    }

    [Fact]
    public async Task A_custom_transform_that_says_where_its_columns_come_from_appears_in_column_lineage()
    {
        string file = Pipeline();

        CliResult result = await SluiceProcess.RunAsync("run", file, "--state", _dir.File("state.db"), "--lineage", _dir.File("events.jsonl"));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Stdout + result.Stderr);
        var complete = File.ReadAllLines(_dir.File("events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("eventType").GetString() == "COMPLETE");
        var fields = complete.GetProperty("outputs")[0].GetProperty("facets").GetProperty("columnLineage").GetProperty("fields");
        string Origin(string column) => string.Join(", ", fields.GetProperty(column).GetProperty("inputFields").EnumerateArray().Select(i =>
            $"{i.GetProperty("field").GetString()} {i.GetProperty("transformations")[0].GetProperty("subtype").GetString()}"));
        // The CSV's columns pass through it; the tier is computed from the customer column. Without IColumnLineage on
        // its options no column after the plugin's stage would have an origin.
        Assert.Equal("customer TRANSFORMATION", Origin("tier"));
        Assert.Equal("customer IDENTITY", Origin("customer"));
        Assert.Equal("amount IDENTITY", Origin("amount"));
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task A_typo_in_a_custom_stages_option_is_reported_at_its_place_with_a_suggestion(string command)
    {
        string file = Pipeline(enrich: "customer_colum: customer");

        CliResult result = await Invoke(command, file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"pipeline\.yaml:8:7: .*enrich_customers: unknown key 'customer_colum' \(did you mean 'customer_column'\?\)", result.Stderr);
        Assert.Matches(@"pipeline\.yaml:8:7: .*enrich_customers: missing required key 'customer_column' \(The column holding the customer's id\.\)", result.Stderr);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task Wrong_types_and_a_missing_required_option_of_custom_stages_are_positioned_errors(string command)
    {
        string file = Pipeline(enrich: "customer_column: customer\n      default_tier: platinum", sink: "indent: maybe");

        CliResult result = await Invoke(command, file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        string[] lines = result.Stderr.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"pipeline\.yaml:9:21: .*default_tier: expected one of standard, silver, gold; found 'platinum'", lines[0]);
        Assert.Matches(@"pipeline\.yaml:11:3: json_array sink: missing required key 'path'", lines[1]);
        Assert.Matches(@"pipeline\.yaml:12:11: json_array sink\.indent: expected true or false, found 'maybe'", lines[2]);
    }

    [Fact]
    public async Task A_bad_value_the_options_class_refuses_is_reported_at_the_stage()
    {
        string file = Pipeline(enrich: "customer_column: amount_in_cents");

        CliResult result = await Invoke("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"pipeline\.yaml:7:5: stage 'enrich_customers': enrich_customers: customer_column 'amount_in_cents' must name a string column", result.Stderr);
    }

    [Fact]
    public async Task Schema_and_docs_with_a_plugin_describe_its_components()
    {
        CliResult without = await TestSupport.Sluice.RunAsync("schema");
        CliResult with = await TestSupport.Sluice.RunAsync("schema", "--plugin", Plugin);
        CliResult docs = await TestSupport.Sluice.RunAsync("docs", "pipeline-file", "--plugin", Plugin);

        Assert.Equal(ExitCodes.Ok, with.ExitCode);
        Assert.DoesNotContain("enrich_customers", without.Stdout);
        using var schema = JsonDocument.Parse(with.Stdout);
        var transform = schema.RootElement.GetProperty("properties").GetProperty("transforms").GetProperty("items").GetProperty("oneOf")
            .EnumerateArray().Single(t => t.GetProperty("properties").TryGetProperty("enrich_customers", out _))
            .GetProperty("properties").GetProperty("enrich_customers");
        Assert.Equal(["customer_column"], transform.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("standard", transform.GetProperty("properties").GetProperty("default_tier").GetProperty("default").GetString());
        Assert.Contains("\"const\": \"json_array\"", with.Stdout);
        Assert.Contains("### `enrich_customers`", docs.Stdout);
        Assert.Contains("### `sink: { type: json_array }`", docs.Stdout);
        Assert.Contains("| `default_tier` | one of `standard`, `silver`, `gold` | no | `standard` | The tier of a customer not in `tiers`. |", docs.Stdout);
    }

    [Fact]
    public async Task A_missing_plugin_is_one_positioned_line_with_exit_2()
    {
        string file = Pipeline(plugins: "bin/Nope.dll");

        CliResult result = await Invoke("run", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:11: plugin 'Nope\.dll' does not exist \(looked for .*bin/Nope\.dll\); build it, or correct the path\n$", result.Stderr);
    }

    [Fact]
    public async Task An_empty_plugin_path_or_a_folder_is_named_as_such_not_as_a_missing_file()
    {
        Directory.CreateDirectory(_dir.File("bin"));

        CliResult empty = await Invoke("validate", Pipeline(plugins: "\"\""));
        CliResult folder = await Invoke("validate", Pipeline(plugins: "bin"));

        Assert.Equal(ExitCodes.Invalid, empty.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:11: plugins: an empty path; name an assembly \(a \.dll\) relative to this file\n$", empty.Stderr);
        Assert.Equal(ExitCodes.Invalid, folder.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:11: plugin 'bin' is a folder \(.*bin\), not an assembly: name the \.dll in it\n$", folder.Stderr);
    }

    [Fact]
    public async Task A_plugins_value_that_is_not_a_list_is_a_positioned_error()
    {
        string file = _dir.Write("pipeline.yaml", File.ReadAllText(Pipeline()).Replace("plugins: [", "plugins: ").Replace(".dll]", ".dll"));

        CliResult result = await Invoke("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:10: plugins: expected a list of string \(e\.g\. \[a, b\]\), found '.*CustomerStages\.dll'\n$", result.Stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_an_assembly_is_one_line_with_exit_2()
    {
        _dir.Write("bin/Broken.dll", "MZ not really a program");

        CliResult result = await Invoke("validate", Pipeline(plugins: "bin/Broken.dll"));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:11: plugin 'Broken\.dll' cannot be loaded: .+\n$", result.Stderr);
    }

    [Fact]
    public async Task A_plugin_registering_a_name_already_taken_fails_with_the_reason()
    {
        // The same components from a second copy of the assembly: their names are taken by the first.
        string copy = Path.Combine(_dir.Path, "copy");
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.GetFiles(Path.GetDirectoryName(Plugin)!))
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        string file = Pipeline(plugins: $"{Path.GetRelativePath(_dir.Path, Plugin)}, copy/CustomerStages.dll");

        CliResult result = await Invoke("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"^\S*pipeline\.yaml:2:\d+: plugin 'CustomerStages\.dll' failed while registering its components \(CustomerStagesPlugin\): a transform named 'enrich_customers' is already registered; each name can be registered once.*\n$", result.Stderr);
    }

    [Fact]
    public async Task A_missing_plugin_given_to_schema_is_an_error_with_exit_2()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("schema", "--plugin", _dir.File("Nope.dll"));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal($"error: no such plugin file: {_dir.File("Nope.dll")} (--plugin takes an assembly, a .dll)\n", result.Stderr);
    }

    private Task<CliResult> Invoke(string command, string file) =>
        command == "run" ? TestSupport.Sluice.RunAsync("run", file, "--state", _dir.File("state.db")) : TestSupport.Sluice.RunAsync("validate", file);
}
