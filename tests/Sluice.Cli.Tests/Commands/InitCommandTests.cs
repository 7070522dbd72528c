using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice init</c> on CSV, JSON Lines and Parquet files: the scaffold passes <c>validate</c> and runs,
/// with the types, formats and required flags the data shows.</summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    /// <summary>Validates and runs <paramref name="pipeline"/>; returns the run's JSON summary.</summary>
    /// <summary>Runs <c>sluice init DATA -o OUTPUT</c>, which must succeed, and returns the file it wrote.</summary>
    private static async Task<string> ScaffoldAsync(string data, string output)
    {
        CliResult init = await TestSupport.Sluice.RunAsync("init", data, "-o", output);
        Assert.True(init.ExitCode == ExitCodes.Ok, init.Stderr);
        return File.ReadAllText(output);
    }

    private async Task<JsonElement> ValidateAndRunAsync(string pipeline)
    {
        CliResult validate = await TestSupport.Sluice.RunAsync("validate", pipeline);
        Assert.True(validate.ExitCode == ExitCodes.Ok, validate.Stderr + File.ReadAllText(pipeline));
        CliResult run = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", State, "--json");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr + run.Stdout);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    private static long Total(JsonElement summary, string name) => summary.GetProperty("totals").GetProperty(name).GetInt64();

    [Fact]
    public async Task The_flights_csv_gives_a_pipeline_that_validates_and_runs_every_row_through()
    {
        RepositoryFiles.CopyFlightsExample(_dir);
        string output = _dir.File("pipelines/flights.yaml");

        CliResult init = await TestSupport.Sluice.RunAsync("init", _dir.File("data/flights-20k.csv"), "--output", output);

        Assert.Equal(ExitCodes.Ok, init.ExitCode);
        Assert.Contains("5 columns typed from 1,000 records", init.Stdout);
        string yaml = File.ReadAllText(output);
        Assert.StartsWith("# yaml-language-server: $schema=https://sluice.dev/schemas/pipeline.schema.json\n", yaml);
        Assert.Contains("path: \"../data/flights-20k.csv\"", yaml);
        Assert.Matches(@"\n    date: +\{ type: timestamp, format: ""yyyy/MM/dd HH:mm"", required: true \}\n", yaml);
        Assert.Matches(@"\n    distance: +\{ type: int64, required: true \}\n", yaml);
        Assert.Matches(@"\n    origin: +\{ type: string, required: true \}\n", yaml);
        Assert.Contains("  type: parquet\n  path: \"out/flights-20k\"\n", yaml);
        Assert.Contains("  max_ratio: 0.01", yaml);

        JsonElement run = await ValidateAndRunAsync(output);
        Assert.Equal(20_000, Total(run, "read"));
        Assert.Equal(Total(run, "read"), Total(run, "written") + Total(run, "dead_lettered"));
        Assert.True(Total(run, "written") >= 19_900, "the inferred contract must take nearly every row");
        Assert.True(File.Exists(Assert.Single(run.GetProperty("published_files").EnumerateArray()).GetString()));
        Assert.StartsWith(_dir.File("pipelines/out/flights-20k"), run.GetProperty("published_files")[0].GetString());
    }

    [Fact]
    public async Task Json_lines_types_quote_odd_column_names_and_the_parquet_output_scaffolds_too()
    {
        var lines = Enumerable.Range(1, 50).Select(i =>
            $$"""{"id": {{i}}, "price": {{i}}.5, "paid": {{(i % 2 == 0 ? "true" : "false")}}, "day": "2026-01-{{i % 28 + 1:00}}", """ +
            $$"""       "at": "2026-01-01T10:{{i % 60:00}}:00Z", "zip": "0{{i}}", "unit price": {{i}}, "yes": "x", "a\"b": "q", """ +
            $$"""       "uk_day": "{{i % 28 + 1:00}}/01/2026"{{(i % 10 == 0 ? "" : ", \"note\": \"n\"")}}}""");
        string data = _dir.Write("data/events.jsonl", string.Join('\n', lines) + "\n");
        string output = _dir.File("events.yaml");

        string yaml = await ScaffoldAsync(data, output);
        string[] expected =
        [
            @"id: +\{ type: int64, required: true \}",
            @"price: +\{ type: float64, required: true \}",
            @"paid: +\{ type: bool, required: true \}",
            @"day: +\{ type: date, required: true \}",
            @"at: +\{ type: timestamp, required: true \}",
            @"zip: +\{ type: string, required: true \}", // leading zeros: kept as text
            @"""unit price"": +\{ type: int64, required: true \}",
            @"""yes"": +\{ type: string, required: true \}",
            @"""a\\""b"": +\{ type: string, required: true \}",
            @"uk_day: +\{ type: date, format: ""dd/MM/yyyy"", required: true \}",
            @"note: +\{ type: string \}", // missing from every tenth record
        ];
        foreach (string field in expected)
            Assert.Matches(new Regex(@"\n    " + field + "\n"), yaml);
        JsonElement run = await ValidateAndRunAsync(output);
        Assert.Equal((50L, 50L, 0L), (Total(run, "read"), Total(run, "written"), Total(run, "dead_lettered")));

        string parquet = Assert.Single(run.GetProperty("published_files").EnumerateArray()).GetString()!;
        string fromParquet = _dir.File("from-parquet.yaml");
        string typed = await ScaffoldAsync(parquet, fromParquet);
        Assert.Contains("  type: parquet\n  path: ", typed);
        Assert.Matches(@"\n    at: +\{ type: timestamp, required: true \}\n", typed);
        Assert.Matches(@"\n    uk_day: +\{ type: date, required: true \}\n", typed); // typed now: no format
        Assert.Matches(@"\n    note: +\{ type: string \}\n", typed);
        JsonElement again = await ValidateAndRunAsync(fromParquet);
        Assert.Equal((50L, 50L), (Total(again, "read"), Total(again, "written")));
    }

    [Theory]
    [InlineData("events.jsonl.gz", "{\"id\": 1, \"at\": \"2026-01-01T10:00:00Z\"}\n{\"id\": 2, \"at\": \"2026-01-02T10:00:00Z\"}\n")]
    [InlineData("events.csv.gz", "id,at\n1,2026-01-01T10:00:00Z\n2,2026-01-02T10:00:00Z\n")]
    public async Task A_gzip_file_is_read_as_the_source_reads_it(string name, string content)
    {
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(_dir.File(name)), System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(content));
        string output = _dir.File("pipeline.yaml");

        string yaml = await ScaffoldAsync(_dir.File(name), output);

        Assert.Matches(@"\n    at: +\{ type: timestamp, required: true \}\n", yaml);
        JsonElement run = await ValidateAndRunAsync(output);
        Assert.Equal((2L, 2L), (Total(run, "read"), Total(run, "written")));
    }

    [Fact]
    public async Task A_header_naming_a_column_twice_or_not_at_all_gets_the_names_the_source_reads()
    {
        // "id" twice and an empty name: the scaffold must say duplicate_columns: rename and type id_2 and column_3,
        // or the pipeline it writes would be refused at its first run.
        string data = _dir.Write("dup.csv", "id,id,,note\n1,10,x,a\n2,20,y,b\n");
        string output = _dir.File("pipeline.yaml");

        string yaml = await ScaffoldAsync(data, output);

        Assert.Contains("\n  duplicate_columns: rename", yaml);
        Assert.Matches(@"\n    id_2: +\{ type: int64, required: true \}\n", yaml);
        Assert.Matches(@"\n    column_3: +\{ type: string, required: true \}\n", yaml);
        JsonElement run = await ValidateAndRunAsync(output);
        Assert.Equal((2L, 2L), (Total(run, "read"), Total(run, "written")));
    }

    [Fact]
    public async Task The_commented_transforms_example_is_valid_once_uncommented()
    {
        string data = _dir.Write("orders.csv", "customer,amount\nalice,3\nbob,4\n");
        string output = _dir.File("pipeline.yaml");
        string yaml = await ScaffoldAsync(data, output);
        Assert.Contains("#   - filter: customer IS NOT NULL\n", yaml);
        File.WriteAllText(output, Regex.Replace(yaml, "^# (transforms:|  )", "$1", RegexOptions.Multiline));

        JsonElement run = await ValidateAndRunAsync(output);
        Assert.Equal(["source", "contract", "filter", "derive", "sink"],
            run.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal((2L, 2L), (Total(run, "read"), Total(run, "written")));
    }

    [Fact]
    public async Task An_existing_file_is_kept_without_force_and_replaced_with_it()
    {
        string data = _dir.Write("a.csv", "id\n1\n");
        string output = _dir.Write("pipeline.yaml", "mine\n");

        CliResult refused = await TestSupport.Sluice.RunAsync("init", data, "-o", output);
        CliResult forced = await TestSupport.Sluice.RunAsync("init", data, "-o", output, "--force");

        Assert.Equal(ExitCodes.Invalid, refused.ExitCode);
        Assert.Equal($"error: {output} exists: pass --force to overwrite it, or --output to write another file", refused.Stderr.Trim());
        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.Contains("id: { type: int64, required: true }", File.ReadAllText(output));
    }

    [Theory]
    [InlineData("empty.csv", "", "is empty or has no readable header line")]
    [InlineData("header.csv", "id,name\n", "has no records to infer the columns' types from")]
    [InlineData("empty.jsonl", "\n\n", "has no JSON Lines records (one JSON object per line)")]
    [InlineData("array.json", "[\n  {\n    \"id\": 1\n  }\n]\n", "has no JSON Lines records (one JSON object per line)")]
    [InlineData("junk.parquet", "not a parquet file at all", "junk.parquet as Parquet: it looks like text, not Parquet (it does not start with the magic bytes 'PAR1')")]
    [InlineData("cut.parquet", "PAR1 then the file stops", "cut.parquet as Parquet: it looks like a Parquet file without its footer")]
    [InlineData("binary.csv", "\u0000\u0001\u0002\u0003PK\u0000\u0000", "cannot read")]
    [InlineData("data.xlsx", "whatever", "cannot tell the format")]
    public async Task An_empty_or_unreadable_file_is_one_error_line_and_writes_nothing(string name, string content, string message)
    {
        string data = _dir.Write(name, content);
        string output = _dir.File("pipeline.yaml");

        CliResult result = await TestSupport.Sluice.RunAsync("init", data, "-o", output);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches($"^error: [^\n]*{Regex.Escape(message)}[^\n]*\n$", result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_parquet_file_with_a_column_the_source_cannot_read_is_refused_naming_it()
    {
        var tags = new ListArray.Builder(Int64Type.Default);
        tags.Append();
        ((Int64Array.Builder)tags.ValueBuilder).Append(1);
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("tags", new ListType(Int64Type.Default), true)], null);
        var batch = new RecordBatch(schema, [new Int64Array.Builder().Append(7).Build(), tags.Build()], 1);
        string data = _dir.File("tagged.parquet");
        using (var writer = new ParquetSharp.Arrow.FileWriter(data, schema))
        {
            writer.WriteRecordBatch(batch);
            writer.Close();
        }

        CliResult result = await TestSupport.Sluice.RunAsync("init", data, "-o", _dir.File("p.yaml"));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.StartsWith($"error: column 'tags' of {data}: type list has no Sluice equivalent", result.Stderr);
        Assert.False(File.Exists(_dir.File("p.yaml")));
    }

    [Fact]
    public async Task A_missing_data_file_is_bad_usage()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("init", _dir.File("nope.csv"), "-o", _dir.File("p.yaml"));

        Assert.Equal((ExitCodes.Invalid, $"error: no such data file: {_dir.File("nope.csv")}"), (result.ExitCode, result.Stderr.Trim()));
    }
}
