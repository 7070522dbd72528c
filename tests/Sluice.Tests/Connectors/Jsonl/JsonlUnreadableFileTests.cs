using System.Text;
using Sluice.Connectors.Files;
using Sluice.Connectors.Jsonl;
using Sluice.DeadLetters;
using Sluice.Tests.TestSupport;
using static Sluice.Tests.TestSupport.EncodedFiles;

namespace Sluice.Tests.Connectors.Jsonl;

/// <summary>The jsonl source reads gzip and UTF-16 files, and a file it cannot read is one dead letter.</summary>
public class JsonlUnreadableFileTests
{
    private static JsonlSourceOptions Options() => new() { Path = "*.jsonl" };

    [Fact]
    public async Task Gzip_and_utf16_files_are_read_and_an_unreadable_file_is_one_letter()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", Gzip("{\"n\":\"1\"}\n{\"n\":\"2\"}\n"));
        dir.Write("b.jsonl", Utf16("{\"n\":\"3\"}\n"));
        dir.Write("c.jsonl", "{\"n\":\"4\"}\n");

        var utf8 = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());
        var utf16 = await JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { Encoding = TextEncoding.Utf16 });

        Assert.Equal(["n"], utf8.Columns);
        Assert.Equal(["1", "2", "4"], utf8.Records().Select(r => r["n"]));
        var letter = Assert.Single(utf8.DeadLetters);
        Assert.Equal((DeadLetterReason.Parse, FileLetters.UnreadableFile, dir.File("b.jsonl")), (letter.Reason, letter.Rule, letter.Origin.File));
        Assert.Contains("UTF-16 LE", letter.Message);
        utf8.AssertBalanced();
        Assert.Equal(["3"], utf16.Records().Select(r => r["n"]));
        Assert.Equal(2, utf16.DeadLetters.Count); // the gzip'd and plain UTF-8 files have no byte-order mark
        Assert.All(utf16.DeadLetters, l => Assert.Contains("no UTF-16 byte-order mark", l.Message));
    }

    [Fact]
    public async Task The_columns_are_inferred_from_the_first_readable_file()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", Utf16("{\"x\":\"1\"}\n"));
        dir.Write("b.jsonl", "{\"n\":\"2\"}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options());

        Assert.Equal(["n"], run.Columns);
        Assert.Equal(["2"], run.Records().Select(r => r["n"]));
    }

    [Fact]
    public async Task A_gzip_file_cut_short_is_one_letter_and_none_of_its_lines_are_read()
    {
        using var dir = new TempDir();
        string text = string.Concat(Enumerable.Range(1, 20000).Select(i => $"{{\"n\":\"{i}\"}}\n"));
        string a = dir.Write("a.jsonl", Cut(Gzip(text), 0.5));
        dir.Write("b.jsonl", "{\"n\":\"last\"}\n");

        var run = await JsonlSourceTestRun.ReadAsync(dir.Path, Options(), batchSize: 1000);

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal((FileLetters.UnreadableFile, a, 1L), (letter.Rule, letter.Origin.File, letter.Origin.Line));
        Assert.Contains("ends early or is corrupt", letter.Message);
        Assert.Equal(["n"], run.Columns); // inferred from b.jsonl
        Assert.Equal(["last"], run.Records().Select(r => r["n"]));
        run.AssertBalanced();
    }

    [Fact]
    public async Task On_unreadable_file_fail_fails_naming_the_file()
    {
        using var dir = new TempDir();
        dir.Write("a.jsonl", "{\"n\":\"1\"}\n");
        string b = dir.Write("b.jsonl", Gzip("{\"n\":\"1\"}\n"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            JsonlSourceTestRun.ReadAsync(dir.Path, Options() with { Compression = TextCompression.None, OnUnreadableFile = OnUnreadableFile.Fail }));

        Assert.StartsWith($"cannot read {b}: it looks like gzip-compressed data", error.Message);
    }
}
