using Sluice.Connectors.Files;
using Sluice.State;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Connectors.Csv;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Csv;

public class CsvSourceTests
{
    /// <summary>What one read of a csv source produced.</summary>
    internal sealed record CsvRun(Schema Schema, List<Batch> Batches, IReadOnlyList<DeadLetter> DeadLetters, StageCounters Counters)
    {
        public List<string?[]> Rows => Batches.SelectMany(RowsOf).ToList();

        public long Emitted => Batches.Sum(b => (long)b.Length);
    }

    internal static async Task<CsvRun> Read(string directory, CsvSourceOptions options, int batchSize = 4096, CancellationToken cancel = default)
    {
        var source = options.CreateSource(new BuildContext(directory, "run-1") { BatchSize = batchSize });
        var letters = new CollectingDeadLetters();
        var context = letters.Context("csv", StageKind.Source);
        var batches = new List<Batch>();
        await foreach (var batch in source.ReadAsync(context, null, cancel))
        {
            batches.Add(batch);
        }
        return new CsvRun(source.Schema, batches, letters.Letters, context.Counters);
    }

    internal static IEnumerable<string?[]> RowsOf(Batch batch)
    {
        for (int r = 0; r < batch.Length; r++)
        {
            yield return batch.Data.Arrays.Select(a => a.IsNull(r) ? null : ((StringArray)a).GetString(r)).ToArray();
        }
    }

    private static CsvSourceOptions Csv(string path = "*.csv") => new() { Path = path };

    /// <summary>Memory is bounded by values per batch, not by the input's width: 8,192 rows of 20,000 columns
    /// would be 164 million values (a 50,000-column file took 2.2 GB for one row).</summary>
    [Fact]
    public async Task A_very_wide_file_is_read_in_batches_of_bounded_values_not_of_bounded_rows()
    {
        using var dir = new TempDir();
        const int columns = 20_000;
        dir.Write("a.csv", string.Join(',', Enumerable.Range(0, columns).Select(c => $"c{c}")) + "\n"
            + string.Concat(Enumerable.Range(0, 120).Select(r => string.Join(',', Enumerable.Range(r, columns)) + "\n")));

        var run = await Read(dir.Path, Csv(), batchSize: 8192);

        Assert.Equal(120, run.Emitted);
        int rowsPerBatch = BuildContext.MaxBatchValues / columns;
        Assert.All(run.Batches, b => Assert.True(b.Length <= rowsPerBatch, $"a batch of {b.Length} rows × {columns} columns"));
        Assert.Equal(["119", "120"], run.Rows[^1].Take(2));
    }

    [Fact]
    public async Task Reads_header_and_rows_as_nullable_strings()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n2,bob\n");

        var run = await Read(dir.Path, Csv());

        Assert.Equal(["id", "name"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.All(run.Schema.FieldsList, f => Assert.True(f.DataType is StringType && f.IsNullable));
        Assert.Equal([["1", "ann"], ["2", "bob"]], run.Rows);
        Assert.Equal(2, run.Counters.In);
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task Quoted_newlines_escapes_crlf_and_bom()
    {
        using var dir = new TempDir();
        byte[] content = [.. "\uFEFF"u8, .. "id,text\r\n1,\"two\r\nlines\"\r\n2,\"say \"\"hi\"\", ok\"\r\n3,plain\r\n"u8];
        dir.Write("a.csv", content);

        var run = await Read(dir.Path, Csv());

        Assert.Equal(["id", "text"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([["1", "two\r\nlines"], ["2", "say \"hi\", ok"], ["3", "plain"]], run.Rows);
        var origins = run.Batches.Single().Origins;
        Assert.Equal([2L, 4L, 5L], Enumerable.Range(0, 3).Select(i => origins[i].Line));
        // Offsets count the BOM; original bytes keep quotes and escapes but not the line break.
        Assert.Equal("1,\"two\r\nlines\"", Encoding.UTF8.GetString(origins[0].Original.Span));
        Assert.Equal("2,\"say \"\"hi\"\", ok\"", Encoding.UTF8.GetString(origins[1].Original.Span));
        Assert.Equal(content.Length, run.Batches.Single().FileAt().Offset);
    }

    [Fact]
    public async Task Empty_field_is_null_quoted_empty_is_empty_string_and_blank_lines_are_skipped()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "a,b,c\n,\"\",x\n\n\r\n1,,\n");

        var run = await Read(dir.Path, Csv());

        Assert.Equal([[null, "", "x"], ["1", null, null]], run.Rows);
        Assert.Equal(5, run.Batches.Single().Origins[1].Line);
        Assert.Equal(2, run.Counters.In);
    }

    [Fact]
    public async Task Last_record_without_line_break_is_read()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "a,b\n1,2\n3,\"4\"");

        var run = await Read(dir.Path, Csv());

        Assert.Equal([["1", "2"], ["3", "4"]], run.Rows);
    }

    [Fact]
    public async Task Semicolon_delimiter_and_other_quote()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "a;b\n'x;y';2,5\n");

        var run = await Read(dir.Path, Csv() with { Delimiter = ';', Quote = '\'' });

        Assert.Equal([["x;y", "2,5"]], run.Rows);
    }

    [Fact]
    public async Task Without_header_columns_are_numbered_and_the_first_line_is_data()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "1,2,3\n4,5,6\n");

        var run = await Read(dir.Path, Csv() with { Header = false });

        Assert.Equal(["column_1", "column_2", "column_3"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([["1", "2", "3"], ["4", "5", "6"]], run.Rows);
        Assert.Equal(1, run.Batches.Single().Origins[0].Line);
    }

    [Fact]
    public async Task Empty_and_header_only_files_emit_no_batch()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "");
        dir.Write("b.csv", "id,name\n");
        dir.Write("c.csv", "id,name\r\n\r\n");

        var run = await Read(dir.Path, Csv());

        Assert.Equal(["id", "name"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.Empty(run.Batches);
        Assert.Equal(0, run.Counters.In);
    }

    [Fact]
    public async Task Only_empty_files_give_no_columns_and_no_batch()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "");

        var run = await Read(dir.Path, Csv());

        Assert.Empty(run.Schema.FieldsList);
        Assert.Empty(run.Batches);
    }

    [Fact]
    public async Task Wrong_field_count_is_dead_lettered_with_its_bytes_line_and_offset()
    {
        using var dir = new TempDir();
        string head = "a,b,c,d,e\r\n1,2,3,4,5\r\n";
        string path = dir.Write("a.csv", head + "1,2,3,4,5,6\r\n7,8,9,10,11\r\n");

        var run = await Read(dir.Path, Csv());

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("csv", DeadLetterReason.Parse, null, "field_count", "expected 5 fields, found 6"),
            (letter.Stage, letter.Reason, letter.Field, letter.Rule, letter.Message));
        Assert.Equal(OriginViews.FileOrigin(path, 3, default), letter.Origin with { Original = default });
        Assert.Equal("1,2,3,4,5,6", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal([["1", "2", "3", "4", "5"], ["7", "8", "9", "10", "11"]], run.Rows);
        Assert.Equal(3, run.Counters.In);
        Assert.Equal(run.Counters.In, run.Emitted + run.Counters.DeadLettered);
    }

    [Fact]
    public async Task Unterminated_quote_in_the_middle_costs_only_its_line()
    {
        using var dir = new TempDir();
        var csv = new StringBuilder("id,name,n\n");
        for (int i = 0; i < 3000; i++)
        {
            csv.Append(i == 1000 ? "1000,\"stray,7\n" : $"{i},name {i},{i % 7}\n");
        }
        string path = dir.Write("a.csv", csv.ToString());

        var run = await Read(dir.Path, Csv());

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal("unterminated_quote", letter.Rule);
        Assert.Equal((path, 1002L), (letter.Origin.File, letter.Origin.Line));
        Assert.Equal("1000,\"stray,7", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal(2999, run.Rows.Count);
        Assert.Equal<string?[]>(["1001", "name 1001", "0"], run.Rows[1000]);
        Assert.Equal<string?[]>(["2999", "name 2999", "3"], run.Rows[^1]);
        Assert.Equal(3000, run.Counters.In);
    }

    [Fact]
    public async Task Quote_open_past_max_record_bytes_costs_only_its_line()
    {
        using var dir = new TempDir();
        var csv = new StringBuilder("id,name\n");
        for (int i = 0; i < 5000; i++)
        {
            csv.Append(i == 10 ? "10,\"stray\n" : $"{i},n{i}\n");
        }
        dir.Write("a.csv", csv.ToString());

        var run = await Read(dir.Path, Csv() with { MaxRecordBytes = 256 });

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("unterminated_quote", 12L), (letter.Rule, letter.Origin.Line));
        Assert.Equal("10,\"stray", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal(4999, run.Rows.Count);
        Assert.Equal<string?[]>(["11", "n11"], run.Rows[10]);
    }

    [Fact]
    public async Task Stray_quote_closed_lines_later_costs_only_its_first_line()
    {
        using var dir = new TempDir();
        // The stray quote on line 2 closes on line 4, making a three-field record that spans three lines.
        dir.Write("a.csv", "a,b\n1,\"oops\n2,x\n3,y\",\"z\"\n4,w\n");

        var run = await Read(dir.Path, Csv());

        Assert.Equal([["2", "x"], ["4", "w"]], run.Rows);
        Assert.Equal([("field_count", 2L, "1,\"oops"), ("bad_quote", 4L, "3,y\",\"z\"")],
            run.DeadLetters.Select(d => (d.Rule, d.Origin.Line, Encoding.UTF8.GetString(d.Origin.Original.Span))));
        Assert.Equal(4, run.Counters.In);
    }

    [Fact]
    public async Task Text_after_a_closing_quote_is_a_bad_quote_and_the_next_line_is_read()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "a,b\n\"ab\"c,d\n1,2\n");

        var run = await Read(dir.Path, Csv());

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("bad_quote", "a", 2L), (letter.Rule, letter.Field, letter.Origin.Line));
        Assert.Contains("'c' after the closing quote of field 1", letter.Message);
        Assert.Equal("\"ab\"c,d", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal([["1", "2"]], run.Rows);
    }

    [Fact]
    public async Task Invalid_utf8_fails_only_its_record()
    {
        using var dir = new TempDir();
        byte[] bad = [.. "1,ab"u8, 0xC3, 0x28, .. "c"u8];
        dir.Write("a.csv", [.. "id,name\n"u8, .. bad, .. "\n2,caf\u00E9\n"u8]);

        var run = await Read(dir.Path, Csv());

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("utf8", "name", 2L), (letter.Rule, letter.Field, letter.Origin.Line));
        Assert.Equal(bad, letter.Origin.Original.ToArray());
        Assert.Equal([["2", "caf\u00E9"]], run.Rows);
        Assert.Equal(2, run.Counters.In);
    }

    [Fact]
    public async Task Line_longer_than_max_record_bytes_keeps_its_start_and_skips_the_rest()
    {
        using var dir = new TempDir();
        string longLine = "1," + new string('x', 5000);
        dir.Write("a.csv", $"a,b\n{longLine}\n2,y\n");

        var run = await Read(dir.Path, Csv() with { MaxRecordBytes = 100 });

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal(("max_record_bytes", 2L), (letter.Rule, letter.Origin.Line));
        Assert.Equal(longLine[..100], Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal([["2", "y"]], run.Rows);
        Assert.Equal(3, run.Batches.Single().Origins[0].Line);
    }

    [Fact]
    public async Task Batches_respect_batch_size_never_span_files_and_carry_positions()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.csv", "n\n1\n2\n3\n4\n5\n");
        string b = dir.Write("b.csv", "n\r\n6\r\n7\r\n8\r\n");

        var run = await Read(dir.Path, Csv(), batchSize: 2);

        Assert.Equal([2, 2, 1, 2, 1], run.Batches.Select(x => x.Length));
        Assert.Equal([a, a, a, b, b], run.Batches.Select(x => x.Origins.File));
        Assert.Equal([a, a, a, b, b], run.Batches.Select(x => x.FileAt().File));
        // Just past the last record's line break: "n\n1\n2\n" is 6 bytes, "n\r\n6\r\n7\r\n" is 9.
        Assert.Equal([6L, 10L, 12L, 9L, 12L], run.Batches.Select(x => x.FileAt().Offset));
        Assert.Equal([["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["8"]], run.Rows);
        var last = run.Batches[^1].Origins[0];
        Assert.Equal((b, 4L, "8"), (last.File, last.Line, Encoding.UTF8.GetString(last.Original.Span)));
    }

    [Fact]
    public async Task With_on_unreadable_file_fail_a_file_whose_header_differs_fails_the_run_naming_both_files()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.csv", "id,name,city\n1,x,y\n");
        string b = dir.Write("b.csv", "id,nom,city\n2,x,y\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Read(dir.Path, Csv() with { OnUnreadableFile = OnUnreadableFile.Fail }));

        Assert.Contains(a, error.Message);
        Assert.Contains(b, error.Message);
        Assert.Contains("column 2 is 'nom' instead of 'name'", error.Message);
    }

    [Fact]
    public async Task No_matching_file_is_a_pipeline_error()
    {
        using var dir = new TempDir();

        var error = await Assert.ThrowsAsync<PipelineException>(() => Read(dir.Path, Csv("data/*.csv")));

        Assert.Equal($"no file matches 'data/*.csv' in {dir.Path}", Assert.Single(error.Diagnostics).Message);
    }

    [Fact]
    public async Task Cancellation_stops_between_batches()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "n\n1\n2\n3\n4\n");
        var source = Csv().CreateSource(new BuildContext(dir.Path, "run-1") { BatchSize = 1 });
        using var cancel = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(new CollectingDeadLetters().Context("csv", StageKind.Source), null, cancel.Token))
            {
                seen++;
                cancel.Cancel();
            }
        });
        Assert.Equal(1, seen);
    }
}
