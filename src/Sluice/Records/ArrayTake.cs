using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Records;

/// <summary>
/// Builds new Arrow arrays holding only some rows of existing ones — what a filter, a dedupe or a contract needs
/// after deciding row by row. Works on the arrays' buffers, and copies runs of consecutive rows with one block copy
/// each: a filter that drops a few rows in a batch leaves long runs, so the copy costs about one memcpy of the batch.
/// </summary>
internal static class ArrayTake
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

    /// <summary>The length of the run of consecutive row indices that starts at <paramref name="i"/>.</summary>
    private static int RunLength(ReadOnlySpan<int> rows, int i)
    {
        int n = 1;
        while (i + n < rows.Length && rows[i + n] == rows[i] + n)
        {
            n++;
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row loop; why: docs/decisions.md, "Hot loops"
    private static IArrowArray TakeFixed(IArrowArray array, int width, ReadOnlySpan<int> rows)
    {
        var data = array.Data;
        ReadOnlySpan<byte> source = data.Buffers[1].Span[(data.Offset * width)..];
        var values = new byte[rows.Length * width];
        for (int i = 0; i < rows.Length;)
        {
            int run = RunLength(rows, i);
            source.Slice(rows[i] * width, run * width).CopyTo(values.AsSpan(i * width));
            i += run;
        }
        var (validity, nulls) = TakeValidity(array, rows);
        return ArrowArrayFactory.BuildArray(new ArrayData(data.DataType, rows.Length, nulls, 0, [validity, new ArrowBuffer(values)]));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row loop; why: docs/decisions.md, "Hot loops"
    private static IArrowArray TakeBooleans(BooleanArray array, ReadOnlySpan<int> rows)
    {
        ReadOnlySpan<byte> source = array.ValueBuffer.Span;
        int offset = array.Offset;
        var values = new byte[BitUtility.ByteCount(rows.Length)];
        for (int i = 0; i < rows.Length; i++)
        {
            int bit = rows[i] + offset;
            if ((source[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                values[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        var (validity, nulls) = TakeValidity(array, rows);
        return new BooleanArray(new ArrowBuffer(values), validity, rows.Length, nulls, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row loop; why: docs/decisions.md, "Hot loops"
    private static IArrowArray TakeStrings(StringArray array, ReadOnlySpan<int> rows)
    {
        ReadOnlySpan<int> sourceOffsets = array.ValueOffsets;
        ReadOnlySpan<byte> sourceData = array.ValueBuffer.Span;
        var offsetBytes = new byte[(rows.Length + 1) * sizeof(int)];
        Span<int> offsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        int total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            total += sourceOffsets[rows[i] + 1] - sourceOffsets[rows[i]];
            offsets[i + 1] = total;
        }
        var bytes = new byte[total];
        for (int i = 0; i < rows.Length;)
        {
            int run = RunLength(rows, i);
            int start = sourceOffsets[rows[i]];
            int end = sourceOffsets[rows[i] + run];
            sourceData[start..end].CopyTo(bytes.AsSpan(offsets[i]));
            i += run;
        }
        var (validity, nulls) = TakeValidity(array, rows);
        return new StringArray(rows.Length, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes), validity, nulls, 0);
    }

    private static (ArrowBuffer Validity, int NullCount) TakeValidity(IArrowArray array, ReadOnlySpan<int> rows)
    {
        if (array.NullCount == 0)
        {
            return (ArrowBuffer.Empty, 0);
        }
        ReadOnlySpan<byte> source = array.Data.Buffers[0].Span;
        int offset = array.Offset;
        var bitmap = new byte[BitUtility.ByteCount(rows.Length)];
        int nulls = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int bit = rows[i] + offset;
            if ((source[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                bitmap[i >> 3] |= (byte)(1 << (i & 7));
            }
            else
            {
                nulls++;
            }
        }
        return (new ArrowBuffer(bitmap), nulls);
    }
}
