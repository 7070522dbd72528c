using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>Turns a result vector into the Arrow array of its type (<see cref="FieldTypes.ToArrow"/>), nulling failed rows.</summary>
internal static class ArrowWriter
{
    public static IArrowArray Write(Vec vec, FieldType type, bool[]? failed)
    {
        int length = vec.Length;
        var (bitmap, nullCount) = Bitmap(vec.Valid, failed, length);
        return vec switch
        {
            Vec<bool> v when type == FieldType.Bool => new BooleanArray(PackBits(v.Values), bitmap, length, nullCount, 0),
            Vec<long> v when type == FieldType.Int64 => new Int64Array(Buffer(v.Values), bitmap, length, nullCount, 0),
            Vec<double> v => new DoubleArray(Buffer(v.Values), bitmap, length, nullCount, 0),
            Vec<decimal> v => new Decimal128Array(new ArrayData((Decimal128Type)type.ToArrow(), length, nullCount, 0,
                [bitmap, Buffer(Decimals(v.Values))])),
            StrVec v => new StringArray(length, Buffer(v.Offsets), new ArrowBuffer(v.Data.AsMemory(0, v.Offsets[length])), bitmap, nullCount, 0),
            Vec<int> v => new Date32Array(Buffer(v.Values), bitmap, length, nullCount, 0),
            Vec<long> v => new TimestampArray((TimestampType)type.ToArrow(), Buffer(v.Values), bitmap, length, nullCount, 0),
            _ => throw new InvalidOperationException($"no Arrow writer for {vec.GetType().Name} as {type}"),
        };
    }

    private static ArrowBuffer Buffer<T>(T[] values) where T : unmanaged =>
        new(MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static (ArrowBuffer Bitmap, int NullCount) Bitmap(bool[]? valid, bool[]? failed, int length)
    {
        if (valid is null && failed is null) return (ArrowBuffer.Empty, 0);
        var bits = new byte[(length + 7) / 8];
        int nulls = 0;
        for (int i = 0; i < length; i++)
        {
            if ((valid is null || valid[i]) && (failed is null || !failed[i])) bits[i >> 3] |= (byte)(1 << (i & 7));
            else nulls++;
        }
        return (new ArrowBuffer(bits), nulls);
    }

    private static ArrowBuffer PackBits(bool[] values)
    {
        var bits = new byte[(values.Length + 7) / 8];
        for (int i = 0; i < values.Length; i++)
            if (values[i]) bits[i >> 3] |= (byte)(1 << (i & 7));
        return new ArrowBuffer(bits);
    }

    /// <summary>
    /// Decimal results are stored at <see cref="FieldTypes.DefaultDecimalScale"/>: each value is rounded to that scale
    /// (half away from zero) and written as its unscaled 128-bit integer.
    /// </summary>
    private static Int128[] Decimals(decimal[] values)
    {
        const int scale = FieldTypes.DefaultDecimalScale;
        var result = new Int128[values.Length];
        Span<int> bits = stackalloc int[4];
        for (int i = 0; i < values.Length; i++)
        {
            decimal d = Math.Round(values[i], scale, MidpointRounding.AwayFromZero);
            decimal.GetBits(d, bits);
            var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
            int valueScale = (bits[3] >> 16) & 0xFF;
            for (int s = valueScale; s < scale; s++) mantissa *= 10;
            result[i] = bits[3] < 0 ? -mantissa : mantissa;
        }
        return result;
    }
}
