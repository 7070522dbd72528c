using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>The lines behind one JSONL batch: one shared buffer and per-row arrays, no per-row objects.</summary>
internal sealed class JsonlSourceRows : IOriginalRows
{
    private readonly byte[] _buffer;
    private readonly long _bufferOffset;
    private readonly long[] _lines;
    private readonly long[] _offsets;
    private readonly int[] _lengths;

    /// <param name="buffer">Holds every row's bytes; <paramref name="bufferOffset"/> is the file offset of its first byte.</param>
    public JsonlSourceRows(string file, byte[] buffer, long bufferOffset, long[] lines, long[] offsets, int[] lengths, int count)
    {
        Input = file;
        _buffer = buffer;
        _bufferOffset = bufferOffset;
        _lines = lines;
        _offsets = offsets;
        _lengths = lengths;
        Count = count;
    }

    public string Input { get; }

    public int Count { get; }

    public string Position(int index) => _lines[Check(index)].ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ReadOnlyMemory<byte> Bytes(int index) =>
        _buffer.AsMemory((int)(_offsets[Check(index)] - _bufferOffset), _lengths[index]);

    // The arrays are sized for a full batch; rows past Count belong to no record.
    private int Check(int index) => (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index));
}
