using CsCheck;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Files;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Csv;

public class CsvSourceResumeTests
{
    private static ISource Source(string directory, int batchSize, CsvSourceOptions? options = null) =>
        (options ?? new CsvSourceOptions { Path = "*.csv" }).CreateSource(new BuildContext(directory, "run") { BatchSize = batchSize });

    /// <summary>Three files: a BOM and CRLF, a quoted line break, broken rows in the middle and at the end of a
    /// file (one cut at max_record_bytes, whose line's rest is skipped), blank lines, a last line without a break.</summary>
    private static void WriteFiles(TempDir dir)
    {
        dir.Write("a.csv", "\uFEFFid,name\r\n1,ann\r\n2,\"b\r\nob\"\r\nbad\r\n3,cy\r\n\r\n4,dee\r\nx,y,z\r\nw\"q,1\r\n");
        dir.Write("b.csv", "id,name\n5,e\n6,f\n7,g\n");
        dir.Write("c.csv", "id,name\nbad\n8,h\n\"9\",\"i\"\"\"\n11,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n10,j\n\n12,\"k\nk\"\nonly");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Resuming_after_any_position_reads_exactly_the_rest(int batchSize)
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var options = new CsvSourceOptions { Path = "*.csv", MaxRecordBytes = 24 };

        var full = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize, options));

        Assert.Equal(11, full.Batches.Sum(b => b.Length));
        Assert.Equal(["bad", "x,y,z", "w\"q,1", "bad", "11," + new string('a', 21), "only"],
            full.DeadLetters.Select(d => System.Text.Encoding.UTF8.GetString(d.Origin.Original.Span)));
        Assert.Equal(17, full.RecordsRead);
    }

    /// <summary>The same files gzip-compressed, in UTF-16 (both byte orders, one also gzip) and one gzip file cut short
    /// (not the last: the letter for its rest comes before the next file's first batch).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Gzip_and_utf16_files_resume_after_any_position_with_exactly_the_rest(int batchSize)
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        EncodedFiles.GzipInPlace(dir, "a.csv", "b.csv", "c.csv");
        string text = "id,name\n" + string.Concat(Enumerable.Range(1, 300).Select(i => $"{i},n{i}\n"));
        dir.Write("b2.csv", EncodedFiles.Cut(EncodedFiles.Gzip(text), 0.6));
        var options = new CsvSourceOptions { Path = "*.csv", MaxRecordBytes = 24 };

        var gzip = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize, options));

        Assert.Equal(["bad", "x,y,z", "w\"q,1"], gzip.DeadLetters.Take(3).Select(d => System.Text.Encoding.UTF8.GetString(d.Origin.Original.Span)));
        Assert.Equal("unreadable_file", gzip.DeadLetters.Single(d => d.Origin.File.EndsWith("b2.csv", StringComparison.Ordinal)).Rule);

        using var utf16 = new TempDir();
        WriteFiles(utf16);
        EncodedFiles.Utf16InPlace(utf16, "a.csv", "b.csv", "c.csv");

        var full = await ResumeCheck.EveryPositionGivesTheTail(Source(utf16.Path, batchSize, options with { Encoding = TextEncoding.Utf16 }));

        Assert.Equal(11, full.Batches.Sum(b => b.Length));
        Assert.Equal(17, full.RecordsRead);
    }

    [Fact]
    public async Task Dead_letters_after_a_files_last_batch_come_with_a_zero_row_batch_past_them()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.csv", "id,name\n1,ann\n2,bob\nbad\nworse\n");

        var run = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);

        Assert.Equal([2, 0], run.Batches.Select(b => b.Length));
        Assert.Equal([new FilePosition(a, 20, 4).ToSource(), new FilePosition(a, 30, 6).ToSource()], run.Batches.Select(b => b.Position!));
        Assert.Equal(0, run.Batches[1].Origins.Count);
        Assert.Equal(2, run.DeadLetters.Count);
    }

    [Fact]
    public async Task Resuming_checks_the_header_of_the_file_it_resumes_in()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.csv", "id,name\n1,ann\n2,bob\n");
        var source = Source(dir.Path, batchSize: 1);
        dir.Write("a.csv", "id,nom\n1,ann\n2,bob\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(source, new FilePosition(a, 14, 3).ToSource()));

        Assert.Contains("has columns (id, nom)", error.Message);
    }

    [Fact]
    public async Task Resuming_in_a_file_that_is_gone_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var full = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);
        var inB = full.Batches.First(b => b.FileAt().File.EndsWith("b.csv", StringComparison.Ordinal)).Position!;
        var source = Source(dir.Path, batchSize: 2);
        File.Delete(FilePosition.From(inB)!.File);

        var before = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(source, inB));
        var after = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), inB));

        Assert.All([before, after], e => Assert.StartsWith($"cannot resume: {FilePosition.From(inB)!.File}", e.Message));
        Assert.All([before, after], e => Assert.Contains("no longer exists", e.Message));
    }

    [Fact]
    public async Task Resuming_in_a_file_that_got_shorter_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var full = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);
        var last = full.Batches.Last(b => b.FileAt().File.EndsWith("a.csv", StringComparison.Ordinal)).Position!;
        dir.Write("a.csv", "id,name\n1,ann\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), last));

        Assert.StartsWith($"cannot resume: {FilePosition.From(last)!.File}", error.Message);
        Assert.Contains("is now shorter", error.Message);
    }

    private static readonly Gen<string> Line = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 99], Gen.OneOf("x", "y z", "\"q\nq\"", "\"a,\"\"b\"\"\"", "\"\"", "é"), (n, s) => $"{n},{s}")),
        (1, Gen.OneOf("bad", "1,2,3", "a\"b,c", "\"open,1", "", "1,\"x\"y", "\r")));

    [Fact]
    public async Task Any_content_resumed_after_any_position_reads_exactly_the_rest()
    {
        await Gen.Select(Line.Array[0, 12].Array[1, 3], Gen.Int[1, 5], Gen.Bool, Gen.Bool)
            .SampleAsync(async (files, batchSize, crlf, trailingBreak) =>
            {
                using var dir = new TempDir();
                string lineBreak = crlf ? "\r\n" : "\n";
                for (int f = 0; f < files.Length; f++)
                {
                    dir.Write($"f{f}.csv", string.Join(lineBreak, ["id,v", .. files[f]]) + (trailingBreak ? lineBreak : ""));
                }
                await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize));
            }, iter: 150);
    }
}
