using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;

namespace Sluice.Records;

/// <summary>
/// Fills one Arrow string column from UTF-8 spans: value offsets, data and validity written straight into arrays
/// that the built array then owns. Used instead of <see cref="StringArray.Builder"/> in per-value loops, whose
/// generic buffer builders are not precompiled and ran as unoptimised code there.
/// </summary>
internal sealed class StringColumnBuilder
{
    private readonly int _capacity;
    private byte[] _offsets = [];
    private byte[] _data = [];
    private byte[] _validity = [];
    private int _count;
    private int _dataLength;
    private int _nulls;
    private int _dataHint = 1 << 12;

    /// <param name="capacity">Most values one column holds (the batch size).</param>
    public StringColumnBuilder(int capacity)
    {
        _capacity = capacity;
        Reset();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-value; why: docs/decisions.md, "Hot loops"
    public void Append(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        Commit(value.Length);
    }

    /// <summary>Room for the next value, of at most <paramref name="maxLength"/> bytes: write it there, then
    /// <see cref="Commit"/> its real length (for values decoded in place, e.g. CSV fields with escaped quotes).</summary>
    public Span<byte> Reserve(int maxLength)
    {
        if (_dataLength + maxLength > _data.Length)
        {
            System.Array.Resize(ref _data, Math.Max(_data.Length * 2, _dataLength + maxLength));
        }
        return _data.AsSpan(_dataLength, maxLength);
    }

    /// <summary>Ends the value written into <see cref="Reserve"/>'s span.</summary>
    public void Commit(int length)
    {
        _dataLength += length;
        _validity[_count >> 3] |= (byte)(1 << (_count & 7));
        _count++;
        MemoryMarshal.Write(_offsets.AsSpan(_count * sizeof(int)), _dataLength);
    }

    public void AppendNull()
    {
        _nulls++;
        _count++;
        MemoryMarshal.Write(_offsets.AsSpan(_count * sizeof(int)), _dataLength);
    }

    /// <summary>The column of the values appended since the last build; the builder then starts empty with new arrays.</summary>
    public StringArray Build()
    {
        var array = new StringArray(
            _count,
            new ArrowBuffer(_offsets.AsMemory(0, (_count + 1) * sizeof(int))),
            new ArrowBuffer(_data.AsMemory(0, _dataLength)),
            _nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, (_count + 7) / 8)),
            _nulls);
        _dataHint = _dataLength + _dataLength / 4 + 16;
        Reset();
        return array;
    }

    private void Reset()
    {
        _offsets = GC.AllocateUninitializedArray<byte>((_capacity + 1) * sizeof(int));
        MemoryMarshal.Write(_offsets, 0);
        _data = GC.AllocateUninitializedArray<byte>(_dataHint);
        _validity = new byte[(_capacity + 7) / 8];
        _count = 0;
        _dataLength = 0;
        _nulls = 0;
    }
}
