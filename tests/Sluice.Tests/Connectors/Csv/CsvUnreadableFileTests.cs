using System.Text;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Files;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;
using static Sluice.Tests.TestSupport.EncodedFiles;

namespace Sluice.Tests.Connectors.Csv;

/// <summary>A file the csv source cannot read costs only itself: one dead letter (reason parse) naming the file, what
/// it looks like and its first bytes, and the other files are read; gzip and UTF-16 files are read when the options
/// say so (gzip by default).</summary>
public class CsvUnreadableFileTests
{
    private static CsvSourceOptions Csv(string path = "*.csv") => new() { Path = path };

    private static void AssertBalanced(CsvSourceTests.CsvRun run) =>
        Assert.Equal(run.Counters.In, run.Emitted + run.DeadLetters.Count);

    [Fact]
    public async Task A_gzip_file_in_a_csv_glob_is_decompressed_by_default()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n");
        dir.Write("b.csv", Gzip("id,name\n2,bob\n3,cy\n"));

        var run = await CsvSourceTests.Read(dir.Path, Csv());

        Assert.Equal([["1", "ann"], ["2", "bob"], ["3", "cy"]], run.Rows);
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task A_utf16_file_is_one_dead_letter_saying_what_it_is_and_the_other_files_are_read()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n");
        string b = dir.Write("b.csv", Utf16("id,name\n2,bob\n"));
        dir.Write("c.csv", "id,name\n3,cy\n");

        var run = await CsvSourceTests.Read(dir.Path, Csv());

        Assert.Equal([["1", "ann"], ["3", "cy"]], run.Rows);
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal((DeadLetterReason.Parse, FileLetters.UnreadableFile, b), (letter.Reason, letter.Rule, letter.Origin.File));
        Assert.Contains("UTF-16 LE", letter.Message);
        Assert.Contains("encoding: utf-16", letter.Message);
        Assert.Equal(Utf16("id,name\n2,bob\n"), letter.Origin.Original.ToArray());
        AssertBalanced(run);
    }

    [Theory]
    [InlineData("PAR1\0\0binary", "Parquet")]
    [InlineData("PK\u0003\u0004zip", "zip archive")]
    [InlineData("i\0d\0,\0n\0\n\0", "NUL bytes in its first line")]
    public async Task Binary_files_are_one_dead_letter_each(string content, string looks)
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n");
        dir.Write("b.csv", Encoding.Latin1.GetBytes(content));

        var run = await CsvSourceTests.Read(dir.Path, Csv());

        Assert.Equal([["1", "ann"]], run.Rows);
        Assert.Contains(looks, Assert.Single(run.DeadLetters).Message);
    }

    [Fact]
    public async Task A_file_whose_header_differs_is_one_header_mismatch_letter_and_the_others_are_read()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n");
        string b = dir.Write("b.csv", "id,nom\n2,bob\n3,cy\n");
        dir.Write("c.csv", "id,name\n4,dee\n");

        var run = await CsvSourceTests.Read(dir.Path, Csv());

        Assert.Equal([["1", "ann"], ["4", "dee"]], run.Rows);
        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal((FileLetters.HeaderMismatch, b, 1L), (letter.Rule, letter.Origin.File, letter.Origin.Line));
        Assert.Contains("column 2 is 'nom' instead of 'name'", letter.Message);
        Assert.Equal("id,nom", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        AssertBalanced(run);
    }

    [Fact]
    public async Task The_columns_come_from_the_first_readable_file()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", Utf16("x,y,z\n1,2,3\n"));
        dir.Write("b.csv", "id,name\n1,ann\n");

        var run = await CsvSourceTests.Read(dir.Path, Csv());

        Assert.Equal(["id", "name"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([["1", "ann"]], run.Rows);
        Assert.Single(run.DeadLetters);
    }

    [Fact]
    public async Task On_unreadable_file_fail_fails_the_run_naming_the_file_and_what_it_is()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name\n1,ann\n");
        string b = dir.Write("b.csv", Utf16("id,name\n2,bob\n"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            CsvSourceTests.Read(dir.Path, Csv() with { OnUnreadableFile = OnUnreadableFile.Fail }));

        Assert.StartsWith($"cannot read {b}: it looks like UTF-16 LE text", error.Message);
        Assert.Contains("on_unreadable_file: fail", error.Message);
    }

    [Fact]
    public async Task Utf16_files_are_read_with_encoding_utf16_whichever_their_byte_order()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", Utf16("id,name\r\n1,añn\r\n"));
        dir.Write("b.csv", Utf16("id,name\n2,\"b\nob\"\n", bigEndian: true));
        dir.Write("c.csv", Gzip(Utf16("id,name\n3,€\n")));

        var run = await CsvSourceTests.Read(dir.Path, Csv() with { Encoding = TextEncoding.Utf16 });

        Assert.Equal([["1", "añn"], ["2", "b\nob"], ["3", "€"]], run.Rows);
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task Compression_none_refuses_a_gzip_file_and_gzip_a_plain_one()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", Gzip("id\n1\n"));
        dir.Write("b.csv", "id\n2\n");

        var none = await CsvSourceTests.Read(dir.Path, Csv() with { Compression = TextCompression.None });
        var gzip = await CsvSourceTests.Read(dir.Path, Csv() with { Compression = TextCompression.Gzip });

        Assert.Equal([["2"]], none.Rows);
        Assert.Contains("gzip-compressed data (it starts with the gzip magic bytes 1f 8b); set compression: auto", Assert.Single(none.DeadLetters).Message);
        Assert.Equal([["1"]], gzip.Rows);
        Assert.Contains("not gzip-compressed", Assert.Single(gzip.DeadLetters).Message);
    }

    /// <summary>Deflate has no checksum: a corrupt gzip file decompresses to plausible rows (these were published
    /// before the end's trailer said so), and one cut short just ends. So none of a broken file's records are read.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_gzip_file_cut_short_or_corrupt_is_one_letter_and_none_of_its_records_are_read(bool corrupt)
    {
        using var dir = new TempDir();
        var random = new Random(3);
        string text = "id,name\n" + string.Concat(Enumerable.Range(1, 50000).Select(i => $"{i},{random.NextInt64()}\n"));
        byte[] gzip = Gzip(text);
        if (corrupt)
        {
            for (int i = gzip.Length / 2; i < gzip.Length / 2 + 64; i++)
            {
                gzip[i] ^= 0xA5;
            }
        }
        string a = dir.Write("a.csv", corrupt ? gzip : Cut(gzip, 0.5));
        dir.Write("b.csv", "id,name\nlast,one\n");

        var run = await CsvSourceTests.Read(dir.Path, Csv(), batchSize: 1000);

        var letter = Assert.Single(run.DeadLetters);
        Assert.Equal((FileLetters.UnreadableFile, a, 1L), (letter.Rule, letter.Origin.File, letter.Origin.Line));
        Assert.Matches("the gzip data (is corrupt|ends early or is corrupt).*; none of its records were read", letter.Message);
        Assert.Equal(File.ReadAllBytes(a)[..1024], letter.Origin.Original.ToArray());
        Assert.Equal([["last", "one"]], run.Rows);
        AssertBalanced(run);
    }

    [Fact]
    public void A_header_naming_a_column_twice_is_refused_with_the_names_file_and_line()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.csv", "id,name,id,x,name,id\n1,2,3,4,5,6\n");

        var error = Assert.Throws<PipelineException>(() => Csv().CreateSource(new BuildContext(dir.Path, "run")));

        Assert.Equal($"{a} line 1: the header names 'id' (columns 1, 3 and 6), 'name' (columns 2 and 5) more than once; a column must have "
            + "one name (a JSON sink would write the key twice, a contract would see only the first): rename them in the file, or set "
            + "duplicate_columns: rename on the source to read them as name_2, name_3, …", error.Message);
    }

    [Fact]
    public async Task Duplicate_columns_rename_numbers_the_later_ones_and_a_later_file_must_match()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "id,name,id,id_2\n1,2,3,4\n");
        dir.Write("b.csv", "id,name,id,id_2\n5,6,7,8\n");
        dir.Write("c.csv", "id,name,id,id\n9,9,9,9\n");

        var run = await CsvSourceTests.Read(dir.Path, Csv() with { DuplicateColumns = CsvDuplicateColumns.Rename });

        Assert.Equal(["id", "name", "id_3", "id_2"], run.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([["1", "2", "3", "4"], ["5", "6", "7", "8"]], run.Rows);
        Assert.Equal(FileLetters.HeaderMismatch, Assert.Single(run.DeadLetters).Rule);
    }
}
