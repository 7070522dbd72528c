using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Contracts;

/// <summary>Whole-column helpers the contract stage needs and Apache.Arrow does not offer.</summary>
internal static class Columns
{
    /// <summary>A column of <paramref name="length"/> nulls.</summary>
    public static IArrowArray Nulls(IArrowType type, int length)
    {
        if (type is StringType)
        {
            return new StringArray(length, new ArrowBuffer(new byte[(length + 1) * sizeof(int)]), ArrowBuffer.Empty,
                new ArrowBuffer(new byte[BitUtility.ByteCount(length)]), length);
        }
        return new ColumnBuilder(type, length).Build();
    }

    /// <summary>The same values seen as another type with the same memory layout (e.g. a timestamp without a
    /// time zone as one in UTC); no copy.</summary>
    public static IArrowArray Retype(IArrowArray array, IArrowType type)
    {
        var data = array.Data;
        return ArrowArrayFactory.BuildArray(new ArrayData(type, data.Length, data.NullCount, data.Offset, data.Buffers));
    }
}
