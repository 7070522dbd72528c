using Apache.Arrow;

namespace Sluice.Records;

/// <summary>
/// Row access to an Arrow string column for hot loops: the offsets, data and validity spans are taken once, so
/// reading a value is two array loads and a slice instead of the several property calls and checks behind
/// <see cref="BinaryArray.GetBytes(int)"/> and <see cref="Apache.Arrow.Array.IsNull(int)"/> on every row.
/// </summary>
public readonly ref struct Utf8Column
{
    private readonly ReadOnlySpan<int> _offsets;
    private readonly ReadOnlySpan<byte> _data;
    private readonly ReadOnlySpan<byte> _validity; // empty when the column has no nulls
    private readonly int _bitOffset;

    public Utf8Column(StringArray array)
    {
        _offsets = array.ValueOffsets;
        _data = array.ValueBuffer.Span;
        _validity = array.NullCount == 0 ? default : array.NullBitmapBuffer.Span;
        _bitOffset = array.Offset;
        Length = array.Length;
    }

    public int Length { get; }

    public bool IsNull(int row)
    {
        if (_validity.IsEmpty)
        {
            return false;
        }
        int bit = row + _bitOffset;
        return (_validity[bit >> 3] & (1 << (bit & 7))) == 0;
    }

    /// <summary>The value's UTF-8 bytes (empty for a null).</summary>
    public ReadOnlySpan<byte> this[int row] => _data[_offsets[row].._offsets[row + 1]];
}
