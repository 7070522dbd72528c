using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Expressions.Kernels;

/// <summary>Copies an Arrow column into the kernels' storage for its <see cref="FieldType"/>.</summary>
internal static class ArrowReader
{
    public static Vec Read(IArrowArray array)
    {
        var valid = ReadValidity(array);
        return array switch
        {
            BooleanArray a => Map(a.Length, valid, i => a.GetValue(i) ?? false),
            Int64Array a => new Vec<long>(a.Values.ToArray(), valid),
            Int32Array a => Widen(a.Values, valid, v => (long)v),
            Int16Array a => Widen(a.Values, valid, v => (long)v),
            Int8Array a => Widen(a.Values, valid, v => (long)v),
            UInt32Array a => Widen(a.Values, valid, v => (long)v),
            UInt16Array a => Widen(a.Values, valid, v => (long)v),
            UInt8Array a => Widen(a.Values, valid, v => (long)v),
            DoubleArray a => new Vec<double>(a.Values.ToArray(), valid),
            FloatArray a => Widen(a.Values, valid, v => (double)v),
            HalfFloatArray a => Widen(a.Values, valid, v => (double)v),
            Decimal128Array a => Map(a.Length, valid, i => a.GetValue(i) ?? 0m),
            StringArray a => ReadStrings(a, valid),
            LargeStringArray a => ReadLargeStrings(a, valid),
            Date32Array a => new Vec<int>(a.Values.ToArray(), valid),
            Date64Array a => Widen(a.Values, valid, ms => (int)Math.Floor(ms / 86_400_000d)),
            TimestampArray a => ReadTimestamps(a, valid),
            _ => throw new InvalidOperationException($"Arrow type {array.Data.DataType.Name} has no expression storage"),
        };
    }

    private static bool[]? ReadValidity(IArrowArray array)
    {
        if (array.NullCount == 0) return null;
        // The bitmap is read directly: IsValid per row goes through several property calls.
        ReadOnlySpan<byte> bitmap = array.Data.Buffers[0].Span;
        int offset = array.Offset;
        var valid = new bool[array.Length];
        for (int i = 0; i < valid.Length; i++)
        {
            int bit = i + offset;
            valid[i] = (bitmap[bit >> 3] & (1 << (bit & 7))) != 0;
        }
        return valid;
    }

    private static Vec<T> Map<T>(int length, bool[]? valid, Func<int, T> get) where T : unmanaged
    {
        var values = new T[length];
        for (int i = 0; i < values.Length; i++) values[i] = get(i);
        return new Vec<T>(values, valid);
    }

    private static Vec<TR> Widen<TA, TR>(ReadOnlySpan<TA> source, bool[]? valid, Func<TA, TR> convert) where TR : unmanaged
    {
        var values = new TR[source.Length];
        for (int i = 0; i < values.Length; i++) values[i] = convert(source[i]);
        return new Vec<TR>(values, valid);
    }

    private static StrVec ReadStrings(StringArray a, bool[]? valid)
    {
        var offsets = a.ValueOffsets;
        int first = offsets[0];
        var rebased = new int[a.Length + 1];
        for (int i = 0; i < rebased.Length; i++) rebased[i] = offsets[i] - first;
        return new StrVec(a.Values.Slice(first, offsets[a.Length] - first).ToArray(), rebased, valid);
    }

    private static StrVec ReadLargeStrings(LargeStringArray a, bool[]? valid)
    {
        var builder = new StrBuilder(a.Length, 0);
        for (int i = 0; i < a.Length; i++) builder.Append(a.GetBytes(i));
        var built = builder.Build();
        return new StrVec(built.Data, built.Offsets, valid);
    }

    private static Vec<long> ReadTimestamps(TimestampArray a, bool[]? valid)
    {
        var unit = ((TimestampType)a.Data.DataType).Unit;
        return unit switch
        {
            TimeUnit.Microsecond => new Vec<long>(a.Values.ToArray(), valid),
            TimeUnit.Second => Widen(a.Values, valid, v => v * 1_000_000),
            TimeUnit.Millisecond => Widen(a.Values, valid, v => v * 1_000),
            _ => Widen(a.Values, valid, v => Math.DivRem(v, 1_000L) is var (q, r) && r < 0 ? q - 1 : q),
        };
    }
}
