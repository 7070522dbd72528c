using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Contracts;

/// <summary>
/// Fills one fixed-width Arrow column of a known length in place — a value buffer and a validity bitmap, no
/// per-value builder calls — and wraps the buffers as an array without copying them. Rows not set stay null.
/// </summary>
internal sealed class ColumnBuilder
{
    private readonly IArrowType _type;
    private readonly byte[] _validity;
    private readonly byte[] _values;
    private readonly int _length;
    private int _valid;

    public ColumnBuilder(IArrowType type, int length)
    {
        _type = type;
        _length = length;
        _validity = new byte[BitUtility.ByteCount(length)];
        int width = type switch
        {
            BooleanType => 0,
            Int32Type or Date32Type => 4,
            Int64Type or DoubleType or TimestampType => 8,
            Decimal128Type => 16,
            _ => throw new ArgumentException($"no fixed-width column for {type.Name}"),
        };
        _values = new byte[width == 0 ? BitUtility.ByteCount(length) : width * length];
    }

    public void Set(int row, long value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), row * 8), value);
        MarkValid(row);
    }

    public void Set(int row, int value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), row * 4), value);
        MarkValid(row);
    }

    public void Set(int row, double value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), row * 8), value);
        MarkValid(row);
    }

    public void Set(int row, Int128 value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), row * 16), value);
        MarkValid(row);
    }

    public void Set(int row, bool value)
    {
        if (value)
        {
            BitUtility.SetBit(_values, row);
        }
        MarkValid(row);
    }

    public IArrowArray Build() => ArrowArrayFactory.BuildArray(new ArrayData(_type, _length, _length - _valid, 0,
        [new ArrowBuffer(_validity), new ArrowBuffer(_values)]));

    private void MarkValid(int row)
    {
        BitUtility.SetBit(_validity, row);
        _valid++;
    }
}
