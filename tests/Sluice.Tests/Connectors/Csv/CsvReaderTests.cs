using CsCheck;
using Sluice.Connectors.Csv;

namespace Sluice.Tests.Connectors.Csv;

/// <summary>The record reader on its own, fed through streams that return a few bytes per read, so records cross
/// buffer refills at every possible byte.</summary>
public class CsvReaderTests
{
    /// <summary>A stream that returns at most the next of <c>chunks</c> bytes per read, cycling.</summary>
    private sealed class TrickleStream(byte[] data, int[] chunks) : MemoryStream(data)
    {
        private int _next;

        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, Math.Min(count, chunks[_next++ % chunks.Length]));
    }

    private static List<string> ReadAll(Stream stream, int maxRecordBytes)
    {
        using var reader = new CsvRecordReader(stream, (byte)',', (byte)'"', maxRecordBytes);
        var seen = new List<string>();
        while (reader.Read() is var result && result != CsvReadResult.End)
        {
            var fields = result == CsvReadResult.Record
                ? string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.Field(i, out var kind).Length}{kind}"))
                : reader.Rule;
            seen.Add($"{result} {reader.Line} {reader.Offset} {reader.EndOffset} {Convert.ToHexString(reader.Record)} {fields}");
            reader.ExpectedFields = reader.FieldCount; // like a header: later records must match the first
        }
        return seen;
    }

    private static readonly Gen<byte[]> Inputs = Gen.OneOf(
        CsvSourcePropertyTests.Tables.Select(t => t.ToCsv()),
        Gen.OneOf((byte)',', (byte)'"', (byte)'\r', (byte)'\n', (byte)'a', (byte)0xE2).Array[0, 120]);

    [Fact]
    public void Reading_in_small_pieces_gives_the_same_records_as_reading_whole()
    {
        Gen.Select(Inputs, Gen.Int[1, 5].Array[1, 4], Gen.OneOf(5, 30, 1 << 20)).Sample((bytes, chunks, max) =>
        {
            var whole = ReadAll(new MemoryStream(bytes), max);
            var trickled = ReadAll(new TrickleStream(bytes, chunks), max);
            Assert.Equal(whole, trickled);
        }, iter: 1000);
    }

    [Fact]
    public void Record_longer_than_the_buffer_is_read_across_refills()
    {
        var big = new string('x', 3 << 20);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes($"a,b\n1,\"{big}\"\n2,y\n");

        var records = ReadAll(new TrickleStream(bytes, [1 << 16]), 4 << 20);

        Assert.Equal(3, records.Count);
        Assert.StartsWith($"Record 2 4 {4 + 4 + big.Length + 1} ", records[1]);
        Assert.EndsWith($"1Unquoted|{big.Length}Quoted", records[1]);
        Assert.StartsWith("Record 3 ", records[2]);
    }

    [Fact]
    public void Unescape_makes_doubled_quotes_single()
    {
        var content = "a\"\"b\"\"\"\"c"u8;
        var output = new byte[content.Length];

        int n = CsvRecordReader.Unescape(content, (byte)'"', output);

        Assert.Equal("a\"b\"\"c"u8.ToArray(), output[..n]);
    }
}
