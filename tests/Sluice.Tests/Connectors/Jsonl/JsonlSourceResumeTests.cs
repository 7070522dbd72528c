using Sluice.Connectors.Files;
using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Jsonl;

public class JsonlSourceResumeTests
{
    private static ISource Source(string directory, int batchSize) =>
        new JsonlSourceOptions { Path = "*.jsonl", Columns = ["n", "s"] }
            .CreateSource(new BuildContext(directory, "run") { BatchSize = batchSize });

    /// <summary>Three files: a BOM and CRLF, blank lines, broken lines in the middle and at the end of a file, a
    /// last line without a break.</summary>
    private static void WriteFiles(TempDir dir)
    {
        dir.Write("a.jsonl", "\uFEFF{\"n\":1}\r\n{\"n\":2,\"s\":\"x\"}\r\n\r\nnope\r\n{\"n\":3}\r\n{\"n\":4}\r\n[1]\r\n{\"zz\":1}\r\n");
        dir.Write("b.jsonl", "{\"n\":5}\n{\"n\":6}\n{\"n\":7}\n");
        dir.Write("c.jsonl", "{\"bad\n{\"n\":8}\n\n{\"n\":9,\"s\":\"é\"}\n{\"n\":10}\nlast");
    }

    /// <summary>The same files gzip-compressed, in UTF-16 (both byte orders, one also gzip), and one gzip file cut
    /// short (not the last: the letter for its rest comes before the next file's first batch).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Gzip_and_utf16_files_resume_after_any_position_with_exactly_the_rest(int batchSize)
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        EncodedFiles.GzipInPlace(dir, "a.jsonl", "b.jsonl", "c.jsonl");
        dir.Write("b2.jsonl", EncodedFiles.Cut(EncodedFiles.Gzip(string.Concat(Enumerable.Range(1, 300).Select(i => $"{{\"n\":{i}}}\n"))), 0.6));

        var gzip = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize));

        Assert.Equal([4L, 7, 8], gzip.DeadLetters.Take(3).Select(d => d.Origin.Line));
        Assert.Equal("unreadable_file", gzip.DeadLetters.Single(d => d.Origin.File.EndsWith("b2.jsonl", StringComparison.Ordinal)).Rule);

        using var utf16 = new TempDir();
        WriteFiles(utf16);
        EncodedFiles.Utf16InPlace(utf16, "a.jsonl", "b.jsonl", "c.jsonl");
        var source = new JsonlSourceOptions { Path = "*.jsonl", Columns = ["n", "s"], Encoding = TextEncoding.Utf16 }
            .CreateSource(new BuildContext(utf16.Path, "run") { BatchSize = batchSize });

        var full = await ResumeCheck.EveryPositionGivesTheTail(source);

        Assert.Equal(10, full.Batches.Sum(b => b.Length));
        Assert.Equal([4L, 7, 8, 1, 6], full.DeadLetters.Select(d => d.Origin.Line));
        Assert.Equal(15, full.RecordsRead);
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

        var full = await ResumeCheck.EveryPositionGivesTheTail(Source(dir.Path, batchSize));

        Assert.Equal(10, full.Batches.Sum(b => b.Length));
        Assert.Equal([4L, 7, 8, 1, 6], full.DeadLetters.Select(d => d.Origin.Line));
        Assert.Equal(15, full.RecordsRead);
    }

    [Fact]
    public async Task Dead_letters_after_a_files_last_batch_come_with_a_zero_row_batch_past_them()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.jsonl", "{\"n\":1}\n{\"n\":2}\nbad\n\nworse\n");

        var run = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);

        Assert.Equal([2, 0], run.Batches.Select(b => b.Length));
        Assert.Equal([new FilePosition(a, 16, 3).ToSource(), new FilePosition(a, 27, 6).ToSource()], run.Batches.Select(b => b.Position!));
        Assert.Equal(2, run.DeadLetters.Count);
    }

    [Fact]
    public async Task Resuming_in_a_file_that_is_gone_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var full = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);
        var inB = full.Batches.First(b => b.FileAt().File.EndsWith("b.jsonl", StringComparison.Ordinal)).Position!;
        File.Delete(FilePosition.From(inB)!.File);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), inB));

        Assert.StartsWith($"cannot resume: {FilePosition.From(inB)!.File}", error.Message);
        Assert.Contains("no longer exists", error.Message);
    }

    [Fact]
    public async Task Resuming_in_a_file_that_got_shorter_fails_clearly()
    {
        using var dir = new TempDir();
        WriteFiles(dir);
        var full = await ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), null);
        var last = full.Batches.Last(b => b.FileAt().File.EndsWith("a.jsonl", StringComparison.Ordinal)).Position!;
        dir.Write("a.jsonl", "{\"n\":1}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ResumeCheck.ReadAsync(Source(dir.Path, batchSize: 2), last));

        Assert.StartsWith($"cannot resume: {FilePosition.From(last)!.File}", error.Message);
        Assert.Contains("is now shorter", error.Message);
    }
}
