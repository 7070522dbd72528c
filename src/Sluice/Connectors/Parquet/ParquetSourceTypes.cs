using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Records;

namespace Sluice.Connectors.Parquet;

/// <summary>
/// Maps the Arrow types a Parquet file is decoded to onto Sluice's types (<see cref="FieldTypes"/>), and converts
/// arrays column-at-a-time. Arrays already of their Sluice type pass through without a copy.
/// </summary>
internal static class ParquetSourceTypes
{
    private static readonly TimestampType Timestamp = new(TimeUnit.Microsecond, "UTC");

    /// <summary>The Sluice Arrow type for <paramref name="type"/>, or null with the reason it has none.</summary>
    public static IArrowType? Normalise(IArrowType type, out string? problem)
    {
        problem = null;
        switch (type)
        {
            case Decimal128Type d when d.Precision > FieldTypes.DecimalPrecision:
                problem = $"decimal({d.Precision}, {d.Scale}) has more than the {FieldTypes.DecimalPrecision} digits a Sluice decimal holds";
                return null;
            case Decimal128Type d:
                return new Decimal128Type(FieldTypes.DecimalPrecision, d.Scale);
            case TimestampType:
                return Timestamp;
        }
        var field = FieldTypes.FromArrow(type) ?? (type.TypeId == ArrowTypeId.UInt64 ? FieldType.Int64 : null);
        if (field is null)
        {
            problem = $"type {type.Name} has no Sluice equivalent (bool, integers, floats, decimal, string, date, timestamp)";
        }
        return field?.ToArrow();
    }

    /// <summary>A short text of a type for messages, e.g. <c>decimal(28, 2)</c>.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        Decimal128Type d => $"decimal({d.Precision}, {d.Scale})",
        TimestampType t => $"timestamp({t.Unit}, {t.Timezone ?? "no zone"})",
        _ => type.Name,
    };

    /// <summary>Converts <paramref name="array"/> to <paramref name="target"/>, which <see cref="Normalise"/> gave for its type.</summary>
    public static IArrowArray Convert(IArrowArray array, IArrowType target) => array switch
    {
        Int8Array a => Widen(a),
        Int16Array a => Widen(a),
        Int32Array a => Widen(a),
        UInt8Array a => Widen(a),
        UInt16Array a => Widen(a),
        UInt32Array a => Widen(a),
        UInt64Array a => WidenUInt64(a),
        HalfFloatArray a => ToDouble(a),
        FloatArray a => ToDouble(a),
        Date64Array a => ToDate32(a),
        TimestampArray a => ToMicroseconds(a),
        LargeStringArray a => ToString(a),
        // Decimals keep their scale and 128-bit values; only the declared precision changes.
        Decimal128Array a when ((Decimal128Type)a.Data.DataType).Precision != FieldTypes.DecimalPrecision => Retype(a, target),
        _ => array,
    };

    private static Int64Array Widen<T>(PrimitiveArray<T> array) where T : struct, IBinaryInteger<T>, IEquatable<T>
    {
        var values = new ArrowBuffer.Builder<long>(array.Length).Resize(array.Length);
        var source = array.Values;
        var span = values.Span;
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = long.CreateTruncating(source[i]);
        }
        return new Int64Array(values.Build(), Validity(array), array.Length, array.NullCount, 0);
    }

    private static Int64Array WidenUInt64(UInt64Array array)
    {
        for (int i = 0; i < array.Length; i++)
        {
            if (array.GetValue(i) is > long.MaxValue)
            {
                throw new OverflowException($"value {array.GetValue(i)} is larger than the largest int64");
            }
        }
        return Widen(array);
    }

    private static DoubleArray ToDouble<T>(PrimitiveArray<T> array) where T : struct, IFloatingPoint<T>, IEquatable<T>
    {
        var values = new ArrowBuffer.Builder<double>(array.Length).Resize(array.Length);
        var source = array.Values;
        var span = values.Span;
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = double.CreateTruncating(source[i]);
        }
        return new DoubleArray(values.Build(), Validity(array), array.Length, array.NullCount, 0);
    }

    private static Date32Array ToDate32(Date64Array array)
    {
        const long MillisecondsPerDay = 86_400_000;
        var values = new ArrowBuffer.Builder<int>(array.Length).Resize(array.Length);
        var source = array.Values;
        var span = values.Span;
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = (int)FloorDiv(source[i], MillisecondsPerDay);
        }
        return new Date32Array(values.Build(), Validity(array), array.Length, array.NullCount, 0);
    }

    private static IArrowArray ToMicroseconds(TimestampArray array)
    {
        var type = (TimestampType)array.Data.DataType;
        if (type.Unit == TimeUnit.Microsecond)
        {
            return type.Timezone == Timestamp.Timezone ? array : Retype(array, Timestamp);
        }
        var values = new ArrowBuffer.Builder<long>(array.Length).Resize(array.Length);
        var source = array.Values;
        var span = values.Span;
        for (int i = 0; i < source.Length; i++)
        {
            // unchecked: slots under nulls hold anything; real instants are far from the int64 limits.
            span[i] = type.Unit switch
            {
                TimeUnit.Second => unchecked(source[i] * 1_000_000),
                TimeUnit.Millisecond => unchecked(source[i] * 1_000),
                _ => FloorDiv(source[i], 1_000),
            };
        }
        return new TimestampArray(Timestamp, values.Build(), Validity(array), array.Length, array.NullCount, 0);
    }

    private static long FloorDiv(long value, long divisor)
    {
        var (quotient, remainder) = Math.DivRem(value, divisor);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    /// <summary>Rebases the 64-bit offsets to 32 bits and copies the bytes once, as a block (per value, through the
    /// array's accessors and a builder, this conversion was a third of the Parquet source's time).</summary>
    private static StringArray ToString(LargeStringArray array)
    {
        ReadOnlySpan<long> offsets = array.ValueOffsets;
        long first = offsets[0];
        long bytes = offsets[array.Length] - first;
        if (bytes > int.MaxValue)
        {
            throw new OverflowException($"a batch of a string column holds {bytes:N0} bytes, more than a string column can (2 GiB)");
        }
        var newOffsets = new byte[(array.Length + 1) * sizeof(int)];
        Span<int> rebased = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(newOffsets.AsSpan());
        for (int i = 0; i <= array.Length; i++)
        {
            rebased[i] = (int)(offsets[i] - first);
        }
        byte[] data = array.ValueBuffer.Span.Slice((int)first, (int)bytes).ToArray();
        return new StringArray(array.Length, new ArrowBuffer(newOffsets), new ArrowBuffer(data), Validity(array), array.NullCount, 0);
    }

    private static IArrowArray Retype(IArrowArray array, IArrowType type) =>
        ArrowArrayFactory.BuildArray(new ArrayData(type, array.Length, array.NullCount, array.Offset, array.Data.Buffers));

    /// <summary>The validity bitmap of <paramref name="array"/> starting at its first row.</summary>
    private static ArrowBuffer Validity(IArrowArray array)
    {
        if (array.NullCount == 0)
        {
            return ArrowBuffer.Empty;
        }
        if (array.Offset == 0)
        {
            return array.Data.Buffers[0];
        }
        var bitmap = new ArrowBuffer.BitmapBuilder(array.Length);
        for (int i = 0; i < array.Length; i++)
        {
            bitmap.Append(array.IsValid(i));
        }
        return bitmap.Build();
    }
}
