using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;
using Sluice.Transforms.Filter;

namespace Sluice.Tests.Configuration;

public sealed class PipelineFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public PipelineFileTests() => _dir.Write("data/a.csv", "date,delay,distance,origin,destination\n2001/01/01 00:47,66,1750,DTW,LAS\n");

    public void Dispose() => _dir.Dispose();

    private const string Valid = """
        name: flights
        source:
          type: csv
          path: data/*.csv
        contract:
          fields:
            date: { type: timestamp, required: true, format: "yyyy/MM/dd HH:mm" }
            delay: { type: int64, min: -120, max: 3000 }
            distance: { type: int64, required: true }
            origin: { type: string, pattern: "^[A-Z]{3}$" }
            destination: { type: string }
        transforms:
          - filter: distance > 0
          - derive:
              late: delay > 15
              route: origin || '-' || destination
          - select: [date, route, late]
        sink:
          type: parquet
          path: out
        dead_letter:
          max_ratio: 0.01
        """;

    private Diagnostic[] Errors(string yaml)
    {
        string path = _dir.Write("p.yaml", yaml);
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(path));
        return e.Diagnostics.ToArray();
    }

    private static void AssertAt(Diagnostic d, int line, int column, string fragment)
    {
        Assert.Contains(fragment, d.Message);
        Assert.NotNull(d.Location);
        Assert.Equal((line, column), (d.Location!.Line, d.Location.Column));
        Assert.EndsWith("p.yaml", d.Location.File);
    }

    [Fact]
    public void A_chain_becomes_a_graph_of_named_stages()
    {
        var pipeline = PipelineFile.Load(_dir.Write("p.yaml", Valid));

        Assert.Equal("flights", pipeline.Name);
        Assert.Equal(["source", "contract", "filter", "derive", "select", "sink"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal(["derive"], pipeline.Stages[4].Inputs);
        Assert.IsType<CsvSourceOptions>(pipeline.Stages[0].Options);
        Assert.IsType<ContractOptions>(pipeline.Stages[1].Options);
        Assert.Equal("distance > 0", Assert.IsType<FilterOptions>(pipeline.Stages[2].Options).Expression);
        Assert.Equal(0.01, pipeline.DeadLetter.MaxRatio);
        Assert.Equal(_dir.Path, pipeline.BaseDirectory);
    }

    [Fact]
    public void Unknown_key_is_reported_with_its_position_and_a_suggestion()
    {
        var errors = Errors(Valid.Replace("  path: data/*.csv", "  path: data/*.csv\n  delimter: ';'"));

        AssertAt(Assert.Single(errors), 5, 3, "unknown key 'delimter' (did you mean 'delimiter'?)");
    }

    [Fact]
    public void Wrong_value_type_is_reported()
    {
        var errors = Errors(Valid.Replace("max_ratio: 0.01", "max_ratio: lots"));

        AssertAt(Assert.Single(errors), 22, 14, "expected a number, found 'lots'");
    }

    [Fact]
    public void Unknown_column_in_an_expression_points_into_the_expression()
    {
        var errors = Errors(Valid.Replace("filter: distance > 0", "filter: distnce > 0"));

        AssertAt(Assert.Single(errors), 13, 13, "unknown column 'distnce'");
    }

    [Fact]
    public void Type_error_in_an_expression_is_reported()
    {
        var errors = Errors(Valid.Replace("late: delay > 15", "late: delay > 'soon'"));

        var error = Assert.Single(errors);
        Assert.Equal(15, error.Location!.Line);
        Assert.InRange(error.Location.Column, 13, 26);
        Assert.Contains("derive 'late'", error.Message);
    }

    [Fact]
    public void Bad_regex_is_reported()
    {
        var errors = Errors(Valid.Replace("pattern: \"^[A-Z]{3}$\"", "pattern: \"^[A-Z{3}$\""));

        var error = Assert.Single(errors);
        Assert.Equal(10, error.Location!.Line);
        Assert.Contains("bad regex", error.Message);
    }

    [Fact]
    public void Many_problems_are_reported_together()
    {
        var errors = Errors(Valid
            .Replace("type: csv", "type: cvs")
            .Replace("- select: [date, route, late]", "- selct: [date]")
            .Replace("max_ratio: 0.01", "max_ratio: 2"));

        Assert.Contains(errors, e => e.Message.Contains("unknown source type 'cvs' (did you mean 'csv'?)"));
        Assert.Contains(errors, e => e.Message.Contains("unknown transform 'selct' (did you mean 'select'?)"));
        Assert.Contains(errors, e => e.Message.Contains("max_ratio must be between 0 and 1"));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"  \"")]
    [InlineData("\"a\\nb\"")]
    [InlineData("${env:SLUICE_TEST_SURELY_EMPTY:-}")]
    public void A_blank_or_multi_line_name_is_refused_at_its_place(string name)
    {
        _dir.Write("a.csv", "x\n1\n");

        var error = Assert.Single(Errors($"name: {name}\nsource: {{ type: csv, path: a.csv }}\nsink: {{ type: jsonl, path: out }}\n"));

        AssertAt(error, 1, 7, "name must be a non-empty line of text: runs and dead letters are filed under it");
    }

    [Fact]
    public void Yaml_syntax_errors_have_a_position()
    {
        var errors = Errors("name: x\nsource: { type: csv\n");

        Assert.Contains("YAML syntax error", Assert.Single(errors).Message);
    }

    [Fact]
    public void The_graph_form_with_a_contract_file_and_fan_out()
    {
        _dir.Write("contract.yaml", "fields:\n  delay: { type: int64 }\nunknown_fields: drop\n");
        var pipeline = PipelineFile.Load(_dir.Write("p.yaml", """
            name: fan
            stages:
              - name: read
                source: { type: csv, path: data/*.csv }
              - name: check
                contract: contract.yaml
              - name: all
                from: check
                sink: { type: parquet, path: out/all }
              - name: late
                from: check
                filter: delay > 60
              - name: late_out
                sink: { type: jsonl, path: out/late }
            """));

        Assert.Equal([[], ["read"], ["check"], ["check"], ["late"]], pipeline.Stages.Select(s => s.Inputs.ToArray()));
        Assert.Equal(UnknownFields.Drop, Assert.IsType<ContractOptions>(pipeline.Stages[1].Options).UnknownFields);
    }

    [Fact]
    public void Errors_in_a_contract_file_name_that_file()
    {
        _dir.Write("contract.yaml", "fields:\n  delay: { type: integer }\n");
        var errors = Errors(Valid.Replace("contract:\n  fields:", "contract: contract.yaml\nx_fields:"));

        Assert.Contains(errors, e => e.Location!.File.EndsWith("contract.yaml") && e.Location.Line == 2 && e.Message.Contains("expected one of"));
    }

    [Fact]
    public void The_json_schema_and_the_docs_come_from_the_declarations()
    {
        string schema = PipelineSchema.JsonSchema();
        using var json = System.Text.Json.JsonDocument.Parse(schema);
        Assert.Equal("object", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("https://sluice.dev/schemas/pipeline.schema.json", json.RootElement.GetProperty("$id").GetString());
        Assert.Contains("\"max_record_bytes\"", schema);
        Assert.Contains("\"unknown_fields\"", schema);

        string markdown = PipelineSchema.Markdown();
        foreach (var spec in ComponentCatalog.BuiltIn.Sources.Concat(ComponentCatalog.BuiltIn.Sinks).Concat(ComponentCatalog.BuiltIn.Transforms))
        {
            Assert.Contains(spec.Description, markdown);
        }
    }

    [Fact]
    public void A_yaml_file_nested_a_million_levels_deep_is_a_positioned_error_not_a_stack_overflow()
    {
        int n = 1_000_000;
        string yaml = Valid.Replace("filter: distance > 0", "filter: " + new string('[', n) + new string(']', n));

        var d = Assert.Single(Errors(yaml));

        AssertAt(d, 13, 74, $"YAML nested too deeply: more than {PipelineFile.MaxYamlDepth} levels");
    }

    /// <summary>Every check walks an alias's node once per alias: nine aliases of nine aliases … would be exponential.</summary>
    [Fact]
    public void A_yaml_alias_is_a_positioned_error()
    {
        string yaml = Valid.Replace("destination: { type: string }", "destination: &text { type: string }\n    gate: *text");

        var d = Assert.Single(Errors(yaml));

        AssertAt(d, 12, 11, "YAML alias *text is not supported in pipeline and flow files: write the value out");
    }

    [Fact]
    public void A_contract_file_nested_too_deeply_is_reported_in_that_file()
    {
        _dir.Write("contract.yaml", "fields: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        var d = Assert.Single(Errors("""
            name: flights
            source: { type: csv, path: data/*.csv }
            contract: contract.yaml
            sink: { type: jsonl, path: out }
            """));

        Assert.Contains("YAML nested too deeply", d.Message);
        Assert.EndsWith("contract.yaml", d.Location!.File);
    }
}
