using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Http;
using Sluice.Connectors.Parquet;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Configuration;

/// <summary><c>${env:NAME}</c> and <c>${env:NAME:-default}</c> in option values. Each test uses variables of its
/// own, so tests running in parallel cannot see each other's.</summary>
public sealed class EnvironmentReferenceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _prefix = "SLUICE_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant() + "_";

    public EnvironmentReferenceTests() => _dir.Write("in/a.csv", "id\n1\n");

    public void Dispose() => _dir.Dispose();

    private PipelineDefinition Load(string yaml) => PipelineFile.Parse(_dir.Write("p.yaml", yaml));

    private static string Ref(string variable, string? fallback = null) =>
        fallback is null ? "${env:" + variable + "}" : "${env:" + variable + ":-" + fallback + "}";

    private string Var(string name, string? value)
    {
        Environment.SetEnvironmentVariable(_prefix + name, value);
        return _prefix + name;
    }

    [Fact]
    public void A_reference_in_a_string_or_integer_option_is_replaced_on_load()
    {
        string folder = Var("IN", "in");
        string rows = Var("ROWS", "500");
        var pipeline = Load($$"""
            name: env
            source: { type: csv, path: "{{Ref(folder)}}/*.csv" }
            sink: { type: parquet, path: out, max_rows_per_file: "{{Ref(rows)}}" }
            """);
        Assert.Equal("in/*.csv", ((CsvSourceOptions)pipeline.Stages[0].Options).Path);
        Assert.Equal(500, ((ParquetSinkOptions)pipeline.Stages[1].Options).MaxRowsPerFile);
    }

    [Fact]
    public void The_default_is_used_when_the_variable_is_unset_or_empty()
    {
        string unset = Var("UNSET", null);
        string empty = Var("EMPTY", "");
        var pipeline = Load($$"""
            name: env
            source: { type: csv, path: "{{Ref(unset, "in")}}/*.csv" }
            sink: { type: parquet, path: "out/{{Ref(empty, "flights")}}" }
            """);
        Assert.Equal("in/*.csv", ((CsvSourceOptions)pipeline.Stages[0].Options).Path);
        Assert.Equal("out/flights", ((ParquetSinkOptions)pipeline.Stages[1].Options).Path);
    }

    [Fact]
    public void An_unset_variable_without_a_default_is_a_positioned_error_naming_it()
    {
        string unset = Var("MISSING", null);
        var e = Assert.Throws<PipelineException>(() => Load($$"""
            name: env
            source: { type: csv, path: in/*.csv }
            sink:
              type: parquet
              path: "{{Ref(unset)}}"
            """));
        var problem = Assert.Single(e.Diagnostics);
        Assert.Equal((5, 9), (problem.Location!.Line, problem.Location.Column));
        Assert.Contains($"the environment variable {unset} is not set", problem.Message);
        Assert.Contains(":-default", problem.Message);
    }

    [Fact]
    public void A_replaced_value_is_checked_like_a_written_one()
    {
        string rows = Var("BAD_ROWS", "many");
        var e = Assert.Throws<PipelineException>(() => Load($$"""
            name: env
            source: { type: csv, path: in/*.csv }
            sink: { type: parquet, path: out, max_rows_per_file: "{{Ref(rows)}}" }
            """));
        Assert.Contains("expected an integer, found 'many'", Assert.Single(e.Diagnostics).Message);
    }

    [Fact]
    public void Secret_headers_keep_their_reference_until_the_run_and_expressions_are_left_alone()
    {
        string token = Var("TOKEN", "s3cret");
        var pipeline = Load($$"""
            name: env
            source: { type: csv, path: in/*.csv }
            transforms:
              - filter: "'{{Ref(token)}}' <> ''"
            sink:
              type: http
              url: http://localhost:1/ingest
              headers: { Authorization: "Bearer {{Ref(token)}}" }
            """);
        var sink = (HttpSinkOptions)pipeline.Stages.Single(s => s.Kind == StageKind.Sink).Options;
        Assert.Equal("Bearer " + Ref(token), sink.Headers["Authorization"]);
        var filter = (FilterOptions)pipeline.Stages.Single(s => s.Kind == StageKind.Transform).Options;
        Assert.Equal($"'{Ref(token)}' <> ''", filter.Expression);
    }
}
