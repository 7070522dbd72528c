namespace Sluice.Expressions.Kernels;

/// <summary>Builds a <see cref="StrVec"/> row by row, appending UTF-8 bytes into one growing buffer.</summary>
internal sealed class StrBuilder
{
    private byte[] _data;
    private readonly int[] _offsets;
    private bool[]? _valid;
    private int _row;
    private int _size;

    public StrBuilder(int rows, int expectedBytes)
    {
        _data = new byte[Math.Max(expectedBytes, 16)];
        _offsets = new int[rows + 1];
    }

    public void Append(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        Commit(value.Length);
    }

    public void AppendNull()
    {
        Validity.SetNull(ref _valid, _row, _offsets.Length - 1);
        Commit(0);
    }

    /// <summary>Drops what <see cref="Add"/> put in the current row and ends it as NULL.</summary>
    public void EndRowAsNull()
    {
        _size = _offsets[_row];
        AppendNull();
    }

    /// <summary>Space for up to <paramref name="max"/> bytes of the current row; follow with <see cref="Commit"/>.</summary>
    public Span<byte> Reserve(int max)
    {
        if (_size + max > _data.Length) Array.Resize(ref _data, Math.Max(_data.Length * 2, _size + max));
        return _data.AsSpan(_size, max);
    }

    /// <summary>Appends bytes to the current row without ending it (for concatenation).</summary>
    public void Add(ReadOnlySpan<byte> part)
    {
        part.CopyTo(Reserve(part.Length));
        _size += part.Length;
    }

    /// <summary>Keeps <paramref name="written"/> bytes of the last reservation in the current row without ending it.</summary>
    public void Advance(int written) => _size += written;

    /// <summary>Ends the current row, keeping <paramref name="written"/> bytes of the last reservation.</summary>
    public void Commit(int written)
    {
        _size += written;
        _offsets[++_row] = _size;
    }

    public StrVec Build() => new(_data, _offsets, _valid);
}
