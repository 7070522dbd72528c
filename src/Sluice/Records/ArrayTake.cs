using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Records;

/// <summary>
/// Builds new Arrow arrays holding only some rows of existing ones — what a filter, a dedupe or a contract
/// needs after deciding row by row. Works on the arrays' buffers: fixed-width values are copied as bytes,
/// strings as one byte range per row, so nothing is allocated per row.
/// </summary>
public static class ArrayTake
{
    /// <summary>The batch with only <paramref name="rows"/> (ascending indices), and their origins.</summary>
    public static Batch Take(Batch batch, ReadOnlySpan<int> rows)
    {
        if (rows.Length == batch.Length)
        {
            return batch;
        }
        var columns = new IArrowArray[batch.Data.ColumnCount];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = Take(batch.Data.Column(c), rows);
        }
        return new Batch(new RecordBatch(batch.Schema, columns, rows.Length), batch.Origins.Select(rows), batch.Position);
    }

    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows) => array switch
    {
        BooleanArray b => TakeBooleans(b, rows),
        StringArray s => TakeStrings(s, rows),
        _ when array.Data.DataType is FixedWidthType fixedWidth && fixedWidth.BitWidth % 8 == 0 => TakeFixed(array, fixedWidth.BitWidth / 8, rows),
        _ => throw new NotSupportedException($"cannot select rows of an Arrow {array.Data.DataType.Name} column"),
    };

    private static IArrowArray TakeFixed(IArrowArray array, int width, ReadOnlySpan<int> rows)
    {
        var data = array.Data;
        var source = data.Buffers[1].Span[(data.Offset * width)..];
        var values = new byte[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            source.Slice(rows[i] * width, width).CopyTo(values.AsSpan(i * width));
        }
        var (validity, nulls) = TakeValidity(array, rows);
        return ArrowArrayFactory.BuildArray(new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, new ArrowBuffer(values)]));
    }

    private static IArrowArray TakeBooleans(BooleanArray array, ReadOnlySpan<int> rows)
    {
        var values = new byte[BitUtility.ByteCount(rows.Length)];
        for (int i = 0; i < rows.Length; i++)
        {
            if (array.GetValue(rows[i]) == true)
            {
                BitUtility.SetBit(values, i);
            }
        }
        var (validity, nulls) = TakeValidity(array, rows);
        return new BooleanArray(new ArrowBuffer(values), validity, rows.Length, nulls, 0);
    }

    private static IArrowArray TakeStrings(StringArray array, ReadOnlySpan<int> rows)
    {
        var offsets = new int[rows.Length + 1];
        int total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            total += array.GetValueLength(rows[i]);
            offsets[i + 1] = total;
        }
        var bytes = new byte[total];
        for (int i = 0; i < rows.Length; i++)
        {
            array.GetBytes(rows[i]).CopyTo(bytes.AsSpan(offsets[i]));
        }
        var (validity, nulls) = TakeValidity(array, rows);
        var offsetBytes = new byte[offsets.Length * sizeof(int)];
        Buffer.BlockCopy(offsets, 0, offsetBytes, 0, offsetBytes.Length);
        return new StringArray(rows.Length, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes), validity, nulls, 0);
    }

    private static (ArrowBuffer Validity, int NullCount) TakeValidity(IArrowArray array, ReadOnlySpan<int> rows)
    {
        if (array.NullCount == 0)
        {
            return (ArrowBuffer.Empty, 0);
        }
        var bitmap = new byte[BitUtility.ByteCount(rows.Length)];
        int nulls = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            if (array.IsValid(rows[i]))
            {
                BitUtility.SetBit(bitmap, i);
            }
            else
            {
                nulls++;
            }
        }
        return (new ArrowBuffer(bitmap), nulls);
    }
}
