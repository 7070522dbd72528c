using Sluice.Connectors.Files;
using Apache.Arrow;
using ParquetSharp.Arrow;
using Sluice.Connectors.Parquet;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Parquet;

public class ParquetSourceResumeTests
{
    private static ISource Source(string directory, int batchSize) =>
        new ParquetSourceOptions { Path = "*.parquet" }.CreateSource(new BuildContext(directory, "run") { BatchSize = batchSize });

    /// <summary>Writes rows <paramref name="first"/>.. in row groups of <paramref name="rowGroupRows"/>, so that
    /// positions fall inside row groups as well as on their edges.</summary>
    private static void Write(string path, int first, int rows, int rowGroupRows)
    {
        var batch = new RecordBatch.Builder()
            .Append("n", true, new Int64Array.Builder().AppendRange(Enumerable.Range(first, rows).Select(i => (long)i)).Build())
            .Append("s", true, new StringArray.Builder().AppendRange(Enumerable.Range(first, rows).Select(i => $"row {i}")).Build())
            .Build();
        using var writer = new FileWriter(path, batch.Schema);
        writer.WriteRecordBatch(batch, rowGroupRows);
        writer.Close();
    }

    private static void WriteFiles(TempDir dir)
    {
        Write(dir.File("a.parquet"), 0, 10, rowGroupRows: 3);
        Write(dir.File("b.parquet"), 100, 4, rowGroupRows: 4);
        Write(dir.File("c.parquet"), 200, 7, rowGroupRows: 2);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(150)]
    public async Task A_damaged_row_group_is_lettered_exactly_once_from_any_position(int batchSize)
    {
        using var dir = new TempDir();
        ParquetUnreadableFileTests.WriteDamaged(dir.File("a.parquet"));
        var b = new RecordBatch.Builder().Append("n", true, new Int64Array.Builder().AppendRange([1L, 2, 3]).Build()).Build();
        using (var writer = new FileWriter(dir.File("b.parquet"), b.Schema))
        {
            writer.WriteRecordBatch(b);
            writer.Close();
        }

        var full = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize));

        var letter = Assert.Single(full.DeadLetters);
        Assert.Equal("unreadable_file", letter.Rule);
        Assert.Equal(full.Batches.Where(x => x.FileAt().File == letter.Origin.File).Sum(x => x.Length) + 1, letter.Origin.Line);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(100)]
    public async Task Resuming_after_any_position_reads_exactly_the_rest(int batchSize)
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        using (var reader = new FileReader(dir.File("a.parquet")))
        {
            Assert.Equal(4, reader.NumRowGroups);
        }

        var full = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize));

        Assert.Equal(21, full.RecordsRead);
        Assert.All(full.Batches, b => Assert.Equal(b.FileAt().Offset, b.FileAt().Line));
    }

    [Fact]
    public async Task Resuming_inside_a_row_group_skips_exactly_the_rows_before_the_position()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        string a = dir.File("a.parquet");

        var run = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 100), new FilePosition(a, 6, 6).ToSource());

        Assert.Equal([5L, 6, 7, 8, 9], ((Int64Array)run.Batches[0].Data.Column(0)).ToArray().Select(v => v!.Value));
        Assert.Equal(0, run.Batches[0].Data.Column(0).Offset);
        Assert.Equal([6L, 7, 8, 9, 10], Enumerable.Range(0, 5).Select(i => run.Batches[0].Origins[i].Line));
        Assert.Equal(5 + 4 + 7, run.RecordsRead);
    }

    [Fact]
    public async Task Resuming_in_a_file_that_is_gone_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var position = new FilePosition(dir.File("b.parquet"), 3, 3).ToSource();
        File.Delete(FilePosition.From(position)!.File);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), position));

        Assert.StartsWith($"cannot resume: {FilePosition.From(position)!.File}", error.Message);
        Assert.Contains("no longer exists", error.Message);
    }

    [Fact]
    public async Task Resuming_in_a_file_that_got_shorter_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var position = new FilePosition(dir.File("a.parquet"), 9, 9).ToSource();
        Write(dir.File("a.parquet"), 0, 5, rowGroupRows: 3);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), position));

        Assert.StartsWith($"cannot resume: {FilePosition.From(position)!.File}", error.Message);
        Assert.Contains("now has only 5 rows", error.Message);
    }
}
