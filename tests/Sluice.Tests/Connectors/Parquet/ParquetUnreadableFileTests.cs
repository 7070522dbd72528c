using Sluice.State;
using Apache.Arrow;
using ParquetSharp;
using ParquetSharp.Arrow;
using Sluice.Connectors.Files;
using Sluice.Connectors.Parquet;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Parquet;

/// <summary>A Parquet file that cannot be read costs only itself: one dead letter (reason parse) naming the file and
/// what it looks like, in words (never the native exception's type name), with its first bytes; a file damaged in a
/// later row group keeps the rows before it.</summary>
public class ParquetUnreadableFileTests
{
    private static async Task<(List<long> Values, IReadOnlyList<DeadLetter> Letters, long In)> ReadAsync(string directory,
        OnUnreadableFile mode = OnUnreadableFile.DeadLetter)
    {
        var source = new ParquetSourceOptions { Path = "*.parquet", OnUnreadableFile = mode }
            .CreateSource(new BuildContext(directory, "run") { BatchSize = 100 });
        var letters = new CollectingDeadLetters();
        var context = letters.Context("source", StageKind.Source);
        var values = new List<long>();
        await foreach (var batch in source.ReadAsync(context, null, CancellationToken.None))
        {
            values.AddRange(((Int64Array)batch.Data.Column(0)).ToArray().Select(v => v!.Value));
        }
        Assert.Equal(context.Counters.In, values.Count + letters.Letters.Count);
        return (values, letters.Letters, context.Counters.In);
    }

    [Fact]
    public async Task A_text_file_and_a_cut_short_file_are_one_letter_each_and_the_columns_come_from_a_readable_file()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.parquet", "id,name\n1,ann\n");
        ParquetSourceTests.WriteInts(dir.File("b.parquet"), 1, 2);
        ParquetSourceTests.WriteInts(dir.File("c.parquet"), 3);
        byte[] whole = File.ReadAllBytes(dir.File("c.parquet"));
        string c = dir.Write("c.parquet", whole[..(whole.Length - 10)]);

        var (values, letters, _) = await ReadAsync(dir.Path);

        Assert.Equal([1L, 2], values);
        Assert.Equal([a, c], letters.Select(l => l.Origin.File));
        Assert.All(letters, l => Assert.Equal((DeadLetterReason.Parse, FileLetters.UnreadableFile), (l.Reason, l.Rule)));
        Assert.Contains("it looks like text, not Parquet (it does not start with the magic bytes 'PAR1')", letters[0].Message);
        Assert.Contains("without its footer", letters[1].Message);
        Assert.All(letters, l => Assert.DoesNotContain("::", l.Message));
        Assert.Equal("id,name\n1,ann\n"u8.ToArray(), letters[0].Origin.Original.ToArray());
        Assert.Equal(whole[..Math.Min(1024, whole.Length - 10)], letters[1].Origin.Original.ToArray());
    }

    [Fact]
    public async Task A_file_of_another_binary_format_is_not_called_text()
    {
        using var dir = new TempDir();
        // Not UTF-8 (0xC3 0x28 is a broken sequence) and no NUL byte in the first line: not text, not Parquet.
        dir.Write("a.parquet", [0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0x10, (byte)'\n', 0x00, 0x01, 0x02, 0x03, 0x04, 0x05]);
        ParquetSourceTests.WriteInts(dir.File("b.parquet"), 7);

        var (values, letters, _) = await ReadAsync(dir.Path);

        Assert.Equal([7L], values);
        Assert.Contains("it looks like binary data of some other format, not Parquet (it does not start with the magic bytes 'PAR1')",
            Assert.Single(letters).Message);
    }

    [Fact]
    public async Task A_file_with_other_columns_is_one_schema_mismatch_letter()
    {
        using var dir = new TempDir();
        ParquetSourceTests.WriteInts(dir.File("a.parquet"), 1);
        string b = dir.File("b.parquet");
        ParquetSourceTests.Write(b, new RecordBatch.Builder().Append("m", true, new StringArray.Builder().Append("x").Build()).Build());
        ParquetSourceTests.WriteInts(dir.File("c.parquet"), 2);

        var (values, letters, _) = await ReadAsync(dir.Path);

        Assert.Equal([1L, 2], values);
        var letter = Assert.Single(letters);
        Assert.Equal((FileLetters.SchemaMismatch, b), (letter.Rule, letter.Origin.File));
        Assert.Contains("it has columns (m utf8) but", letter.Message);
    }

    [Fact]
    public async Task A_damaged_row_group_keeps_the_rows_before_it_and_the_rest_is_one_letter()
    {
        using var dir = new TempDir();
        string a = dir.File("a.parquet");
        WriteDamaged(a);

        var (values, letters, read) = await ReadAsync(dir.Path);

        var letter = Assert.Single(letters);
        Assert.True(values.Count is > 0 and < 1000 && values.Count % 100 == 0, $"{values.Count} rows kept");
        Assert.Equal(values.Count + 1, letter.Origin.Line);
        Assert.Contains($"from line {values.Count + 1} on: row {values.Count + 1} on cannot be decoded", letter.Message);
        Assert.DoesNotContain("::", letter.Message);
        Assert.Equal(values.Count + 1, read);
    }

    /// <summary>1000 int64 rows in zstd row groups of 100, bytes in the middle of the file (page headers among
    /// them) scrambled: the first row groups decode, a later one does not.</summary>
    internal static void WriteDamaged(string path)
    {
        using (var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).MaxRowGroupLength(100).Build())
        using (var writer = new FileWriter(path, new Schema.Builder().Field(f => f.Name("n").DataType(Apache.Arrow.Types.Int64Type.Default)).Build(), properties))
        {
            var random = new Random(7);
            writer.WriteRecordBatch(new RecordBatch.Builder()
                .Append("n", true, new Int64Array.Builder().AppendRange(Enumerable.Range(0, 1000).Select(_ => random.NextInt64())).Build()).Build());
            writer.Close();
        }
        byte[] bytes = File.ReadAllBytes(path);
        for (int i = bytes.Length * 11 / 20; i < bytes.Length * 15 / 20; i++)
        {
            bytes[i] ^= 0x5A;
        }
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public async Task On_unreadable_file_fail_fails_the_run_naming_the_file()
    {
        using var dir = new TempDir();
        ParquetSourceTests.WriteInts(dir.File("a.parquet"), 1);
        string b = dir.Write("b.parquet", EncodedFiles.Gzip("x"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(dir.Path, OnUnreadableFile.Fail));

        Assert.StartsWith($"cannot read {b}: it looks like gzip-compressed data", error.Message);
    }
}
