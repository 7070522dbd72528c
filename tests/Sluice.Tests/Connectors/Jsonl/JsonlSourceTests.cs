using Sluice.Connectors.Files;
using System.Text;
using Sluice.Configuration;
using Sluice.Connectors.Jsonl;
using Sluice.Contracts;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Jsonl;

public class JsonlSourceTests
{
    private static JsonlSourceOptions Options(string path = "*.jsonl") => new() { Path = path };

    [Fact]
    public async Task Every_json_kind_arrives_as_its_text()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl",
            """{"s":"tab\tquote\" \u00e9 ü","i":-42,"f":1.5e3,"t":true,"n":null,"o":{"x": [1, {"y":null}]},"a":[ ],"e":"","z":false}""" + "\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());

        Assert.Equal(["s", "i", "f", "t", "n", "o", "a", "e", "z"], run.Columns);
        var record = Assert.Single(run.Records());
        Assert.Equal("tab\tquote\" é ü", record["s"]);
        Assert.Equal("-42", record["i"]);
        Assert.Equal("1.5e3", record["f"]);
        Assert.Equal("true", record["t"]);
        Assert.Null(record["n"]);
        Assert.Equal("""{"x": [1, {"y":null}]}""", record["o"]);
        Assert.Equal("[ ]", record["a"]);
        Assert.Equal("", record["e"]);
        Assert.Equal("false", record["z"]);
        Assert.True(run.Schema.FieldsList.All(f => f.DataType is Apache.Arrow.Types.StringType));
    }

    [Fact]
    public async Task Columns_are_inferred_from_the_first_file_with_records_not_from_an_empty_one()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "\n");
        dir.Write("b.jsonl", "{\"b\":1,\"a\":2}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());

        Assert.Equal(["b", "a"], run.Columns);
        Assert.Empty(run.DeadLetters);
        Assert.Equal(1, run.Rows);
    }

    [Fact]
    public async Task Columns_are_inferred_in_order_of_first_appearance_and_missing_keys_are_null()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "{\"b\":1}\n{\"a\":2,\"b\":3}\n{\"c\":\"x\",\"a\":4}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());

        Assert.Equal(["b", "a", "c"], run.Columns);
        Assert.Equal(
            [["1", null, null], ["3", "2", null], [null, "4", "x"]],
            run.Records().Select(r => new[] { r["b"], r["a"], r["c"] }).ToList());
    }

    [Fact]
    public async Task A_key_beyond_the_inferred_rows_is_dead_lettered_with_what_to_do()
    {
        using var dir = new TempDir();
        string path = dir.Write("a.jsonl", "{\"a\":1}\n{\"a\":2,\"late\":3}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { InferRows = 1 });

        Assert.Equal(["a"], run.Columns);
        Assert.Equal(["1"], run.Records().Select(r => r["a"]));
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("unknown_key", "late", DeadLetterReason.Parse, 2L), (letter.Rule, letter.Field, letter.Reason, letter.Origin.Line));
        Assert.Contains("key 'late' is not among the columns, which were fixed by the first 1 records of " + path, letter.Message);
        Assert.Contains("`columns`", letter.Message);
        run.AssertBalanced();
    }

    [Fact]
    public async Task Columns_option_chooses_and_orders_the_columns()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "{\"a\":1,\"b\":2}\n{\"b\":3}\n{\"a\":5,\"c\":6}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { Columns = ["b", "a"] });

        Assert.Equal(["b", "a"], run.Columns);
        Assert.Equal([["2", "1"], ["3", null]], run.Records().Select(r => new[] { r["b"], r["a"] }).ToList());
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("unknown_key", "c", 3L), (letter.Rule, letter.Field, letter.Origin.Line));
        run.AssertBalanced();
    }

    [Fact]
    public async Task A_contract_that_drops_unknown_fields_gets_only_its_fields()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "{\"a\":1,\"x\":2}\n{\"y\":{\"deep\":1},\"b\":\"z\"}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { Columns = ["x"] },
            hint: new SourceReadHint(["b", "a"], UnknownFields.Drop));

        Assert.Equal(["b", "a"], run.Columns);
        Assert.Equal([[null, "1"], ["z", null]], run.Records().Select(r => new[] { r["b"], r["a"] }).ToList());
        Assert.Empty(run.DeadLetters);
        run.AssertBalanced();
    }

    [Theory]
    [InlineData(UnknownFields.Keep)]
    [InlineData(UnknownFields.Reject)]
    public async Task A_contract_that_keeps_or_rejects_unknown_fields_also_gets_the_inferred_keys(UnknownFields unknown)
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "{\"x\":1,\"a\":2}\n{\"y\":3}\n{\"z\":4}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { InferRows = 2 },
            hint: new SourceReadHint(["a", "b"], unknown));

        Assert.Equal(["a", "b", "x", "y"], run.Columns);
        Assert.Equal(2, run.Rows);
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("unknown_key", "z", 3L), (letter.Rule, letter.Field, letter.Origin.Line));
        Assert.Contains("name it in the contract", letter.Message);
        run.AssertBalanced();
    }

    [Fact]
    public async Task Each_bad_line_is_dead_lettered_with_its_rule_line_offset_and_original_bytes()
    {
        using var dir = new TempDir();
        byte[][] lines =
        [
            "{\"a\":1}"u8.ToArray(),
            "{\"a\":2"u8.ToArray(),
            "[1,2]"u8.ToArray(),
            [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8],
            "{\"a\":3,\"a\":4}"u8.ToArray(),
            "{\"a\":5} x"u8.ToArray(),
            "\"text\""u8.ToArray(),
            "{\"a\":\"\\ud800\"}"u8.ToArray(),
            "{\"a\":6}"u8.ToArray(),
        ];
        dir.Write("a.jsonl", lines.SelectMany(l => l.Append((byte)'\n')).ToArray());

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { Columns = ["a"] });

        Assert.Equal(["1", "6"], run.Records().Select(r => r["a"]));
        Assert.Equal(
            [("json", 2L), ("not_object", 3L), ("utf8", 4L), ("duplicate_key", 5L), ("json", 6L), ("not_object", 7L), ("json", 8L)],
            run.DeadLetters.Select(d => (d.Rule!, d.Origin.Line)).ToList());
        foreach (var letter in run.DeadLetters)
        {
            int index = (int)letter.Origin.Line - 1;
            Assert.Equal(lines[index], letter.Origin.Original.ToArray());
            Assert.Equal(DeadLetterReason.Parse, letter.Reason);
            Assert.Equal("source", letter.Stage);
        }
        Assert.Equal("a", run.DeadLetters[3].Field);
        Assert.Contains("not an object", run.DeadLetters[1].Message);
        Assert.Contains("UTF-8", run.DeadLetters[2].Message);
        run.AssertBalanced();
    }

    [Fact]
    public async Task Bom_crlf_and_blank_lines_are_handled_and_blank_lines_not_counted()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", [0xEF, 0xBB, 0xBF, .. "{\"a\":\"x\"}\r\n\r\n  \n{\"a\":bad}\r\n{\"a\":\"y\"}"u8]);

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());

        Assert.Equal(["a"], run.Columns);
        Assert.Equal(["x", "y"], run.Records().Select(r => r["a"]));
        var rows = run.Batches.Single().Origins;
        Assert.Equal((1L, "{\"a\":\"x\"}"), (rows[0].Line, Encoding.UTF8.GetString(rows[0].Original.Span)));
        Assert.Equal((5L, "{\"a\":\"y\"}"), (rows[1].Line, Encoding.UTF8.GetString(rows[1].Original.Span)));
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal((4L, "{\"a\":bad}"), (letter.Origin.Line, Encoding.UTF8.GetString(letter.Origin.Original.Span)));
        Assert.Equal(3, run.Counters.In);
        run.AssertBalanced();
    }

    [Fact]
    public async Task Batches_hold_at_most_batch_size_rows_never_span_files_and_end_at_their_position()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.jsonl", "{\"n\":1}\n{\"n\":2}\nnope\n{\"n\":3}\n");
        string b = dir.Write("b.jsonl", "{\"n\":4}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options(), batchSize: 2);

        Assert.Equal([2, 1, 1], run.Batches.Select(x => x.Length));
        Assert.Equal([new(a, 16, 3), new(a, 29, 5), new(b, 8, 2)], run.Batches.Select(x => x.FileAt()));
        Assert.Equal([a, a, b], run.Batches.Select(x => x.Origins.File));
        Assert.Equal(["1", "2", "3", "4"], run.Records().Select(r => r["n"]));
        Assert.Equal(5, run.Counters.In);
        run.AssertBalanced();
    }

    [Fact]
    public async Task Original_bytes_survive_buffer_refills_in_large_files()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 40_000).Select(i => $"{{\"n\":{i},\"pad\":\"{new string('x', i % 97)}\"}}").ToList();
        dir.Write("big.jsonl", string.Join("\n", lines) + "\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options(), batchSize: 3000);

        Assert.Equal(40_000, run.Rows);
        long offset = 0;
        int row = 0;
        foreach (var batch in run.Batches)
        {
            for (int i = 0; i < batch.Length; i++, row++)
            {
                var origin = batch.Origins[i];
                Assert.Equal((row + 1L, lines[row]), (origin.Line, Encoding.UTF8.GetString(origin.Original.Span)));
                offset += lines[row].Length + 1;
            }
            Assert.Equal(offset, batch.FileAt().Offset);
        }
        Assert.Equal(Enumerable.Range(0, 40_000).Select(i => i.ToString()), run.Records().Select(r => r["n"]));
    }

    [Fact]
    public void No_matching_file_is_a_pipeline_error_naming_the_pattern_and_folder()
    {
        using var dir = new TempDir();

        var error = Assert.Throws<PipelineException>(() => Options("in/*.jsonl").CreateSource(new BuildContext(dir.Path, "run")));

        Assert.Equal($"no file matches 'in/*.jsonl' in {dir.Path}", error.Message);
    }

    [Fact]
    public void Spec_binds_options_and_rejects_a_bad_infer_rows_and_repeated_columns()
    {
        var at = new SourceLocation("p.yaml", 3, 5);
        ConfigNode Map(params (string Key, ConfigNode Value)[] entries) =>
            ConfigNode.Map(at, entries.Select(e => KeyValuePair.Create(e.Key, e.Value)).ToList());
        ConfigNode Text(string text) => ConfigNode.Scalar(at, text);

        var options = (JsonlSourceOptions)JsonlSourceOptions.Spec.Bind(
            Map(("path", Text("d/*.jsonl")), ("columns", ConfigNode.List(at, [Text("a"), Text("b")])), ("infer_rows", Text("10"))));
        var error = Assert.Throws<PipelineException>(() => JsonlSourceOptions.Spec.Bind(
            Map(("path", Text("x")), ("infer_rows", Text("0")), ("columns", ConfigNode.List(at, [Text("a"), Text("a")])))));

        Assert.Equal(("d/*.jsonl", 10), (options.Path, options.InferRows));
        Assert.Equal(["a", "b"], options.Columns!);
        Assert.Equal(2, error.Diagnostics.Count);
        Assert.Contains("infer_rows", error.Diagnostics[0].Message);
        Assert.Contains("'a' is listed twice", error.Diagnostics[1].Message);
        Assert.Equal("jsonl", JsonlSourceOptions.Spec.Name);
    }
}
