using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Files;

/// <summary>A run that writes no rows still leaves its folder readable when the format can say what the columns are
/// (Parquet; CSV with a header): one empty part, so that a downstream pipeline's glob over the folder reads zero rows
/// instead of failing with "no file matches" (a day with no flights in a partitioned flow). Only when the folder has
/// no part yet: runs that find nothing new do not pile up empty files.</summary>
public class EmptyPartTests
{
    private const string Input = "id,amount\n1,5\n2,7\n3,9\n";

    private static async Task<RunOutcome> RunAsync(TempDir dir, string yaml)
    {
        dir.Write("p.yaml", yaml);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        return await new PipelineRunner(store).RunAsync(PipelineFile.Load(dir.File("p.yaml")));
    }

    private static string Pipeline(string name, string input, string filter, string sink) => $"""
        name: {name}
        source: {"{"} type: csv, path: {input} {"}"}
        contract: {"{"} fields: {"{"} id: {"{"} type: int64 {"}"}, amount: {"{"} type: int64 {"}"} {"}"} {"}"}
        transforms:
          - filter: {filter}
        sink: {sink}
        """;

    [Theory]
    [InlineData("{ type: parquet, path: out }", "parquet")]
    [InlineData("{ type: csv, path: out }", "csv")]
    public async Task A_run_that_writes_no_rows_leaves_one_empty_part_a_downstream_run_reads_as_zero_rows(string sink, string format)
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);

        var first = await RunAsync(dir, Pipeline("empty", "in.csv", "amount > 100", sink));

        Assert.Equal(RunState.Succeeded, first.Run.State);
        Assert.Equal(0, first.Run.RecordsWritten);
        string part = Assert.Single(Directory.GetFiles(dir.File("out"), $"part-*.{format}"));
        Assert.Empty(Directory.GetFiles(dir.File("out"), "*.inprogress"));
        Assert.Equal([part], first.Published);

        var downstream = await RunAsync(dir, $"""
            name: downstream
            source: {"{"} type: {format}, path: "out/*.{format}" {"}"}
            sink: {"{"} type: jsonl, path: next {"}"}
            """);

        Assert.Equal(RunState.Succeeded, downstream.Run.State);
        Assert.Equal(0, downstream.Run.RecordsRead);
    }

    [Fact]
    public async Task The_empty_part_names_the_columns_and_their_types()
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);

        await RunAsync(dir, Pipeline("empty", "in.csv", "amount > 100", "{ type: parquet, path: out }"));

        using var reader = new ParquetSharp.Arrow.FileReader(Directory.GetFiles(dir.File("out"), "*.parquet").Single());
        Assert.Equal(["id", "amount"], reader.Schema.FieldsList.Select(f => f.Name));
        Assert.All(reader.Schema.FieldsList, f => Assert.IsType<Apache.Arrow.Types.Int64Type>(f.DataType));
        Assert.Equal(0, reader.ParquetReader.FileMetaData.NumRows);
    }

    [Fact]
    public async Task A_csv_part_without_header_is_not_written_empty()
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);

        await RunAsync(dir, Pipeline("empty", "in.csv", "amount > 100", "{ type: csv, path: out, header: false }"));
        await RunAsync(dir, Pipeline("empty-jsonl", "in.csv", "amount > 100", "{ type: jsonl, path: out-jsonl }"));

        Assert.False(Directory.Exists(dir.File("out")) && Directory.GetFiles(dir.File("out")).Length > 0);
        Assert.False(Directory.Exists(dir.File("out-jsonl")) && Directory.GetFiles(dir.File("out-jsonl")).Length > 0);
    }

    [Fact]
    public async Task The_csv_empty_part_is_its_header_line()
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);

        await RunAsync(dir, Pipeline("empty", "in.csv", "amount > 100", "{ type: csv, path: out }"));

        Assert.Equal("id,amount\n", File.ReadAllText(Directory.GetFiles(dir.File("out"), "*.csv").Single()));
    }

    [Fact]
    public async Task No_empty_part_joins_a_folder_that_has_parts_or_a_run_that_wrote_rows()
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);

        var full = await RunAsync(dir, Pipeline("rows", "in.csv", "amount > 6", "{ type: parquet, path: out }"));
        dir.Write("in2.csv", Input);
        var empty = await RunAsync(dir, Pipeline("rows2", "in2.csv", "amount > 100", "{ type: parquet, path: out }"));
        var again = await RunAsync(dir, Pipeline("rows", "in.csv", "amount > 6", "{ type: parquet, path: out }"));

        Assert.Equal(2, full.Run.RecordsWritten);
        Assert.Empty(empty.Published);
        Assert.Equal(0, again.Run.RecordsRead); // the file was read by the first run: nothing new, nothing written
        Assert.Empty(again.Published);
        string part = Assert.Single(Directory.GetFiles(dir.File("out"), "*.parquet"));
        using var reader = new ParquetSharp.Arrow.FileReader(part);
        Assert.Equal(2, reader.ParquetReader.FileMetaData.NumRows);
    }
}
