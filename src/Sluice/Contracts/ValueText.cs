using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;

namespace Sluice.Contracts;

/// <summary>
/// The canonical text of a value held in one of Sluice's own Arrow column types: what a value becomes when a
/// contract reads it as a string, and how it is quoted in dead-letter messages. Written as UTF-8 into a span.
/// </summary>
internal static class ValueText
{
    /// <summary>Longest canonical text of a non-string value (a decimal128 with sign and point is 31).</summary>
    public const int MaxLength = 40;

    private static readonly long MinMicros = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Writes the value at <paramref name="row"/> (not null) of a Boolean, Int64, Double, Decimal128,
    /// Date32, Timestamp(µs) or String array; strings are copied as they are (and may need more room).</summary>
    public static int Write(IArrowArray array, int row, Span<byte> destination)
    {
        int written;
        switch (array)
        {
            case BooleanArray b:
                return (Bool(b, row) ? "true"u8 : "false"u8).CopyToReturningLength(destination);
            case Int64Array l:
                Utf8Formatter.TryFormat(l.Values[row], destination, out written);
                return written;
            case DoubleArray d:
                d.Values[row].TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
                return written;
            case Decimal128Array m:
                return WriteDecimal(Decimal(m, row), m.Scale, destination);
            case Date32Array date:
                return WriteDate(date.Values[row], destination);
            case TimestampArray t:
                return WriteTimestamp(t.Values[row], destination);
            case StringArray s:
                return s.GetBytes(row).CopyToReturningLength(destination);
            default:
                throw new ArgumentException($"no canonical text for {array.Data.DataType.Name}");
        }
    }

    /// <summary>The value as a string for messages; long strings are cut at 100 characters.</summary>
    public static string Format(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            return "null";
        }
        if (array is StringArray s)
        {
            return Quote(s.GetBytes(row));
        }
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.UTF8.GetString(buffer[..Write(array, row, buffer)]);
    }

    /// <summary>A timestamp (microseconds since the epoch) as ISO 8601 text, for messages.</summary>
    public static string FormatMicros(long micros)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.UTF8.GetString(buffer[..WriteTimestamp(micros, buffer)]);
    }

    /// <summary>Text for a message: quoted, cut at 100 characters.</summary>
    public static string Quote(ReadOnlySpan<byte> text)
    {
        string s = Encoding.UTF8.GetString(text.Length > 400 ? text[..400] : text);
        return "'" + (s.Length > 100 ? s[..100] + "…" : s) + "'";
    }

    public static bool Bool(BooleanArray array, int row) => BitUtility.GetBit(array.Values, array.Offset + row);

    public static Int128 Decimal(Decimal128Array array, int row) =>
        MemoryMarshal.Cast<byte, Int128>(array.ValueBuffer.Span)[array.Offset + row];

    private static int WriteDecimal(Int128 unscaled, int scale, Span<byte> destination)
    {
        int n = 0;
        if (unscaled < 0)
        {
            destination[n++] = (byte)'-';
            unscaled = -unscaled;
        }
        Span<byte> digits = stackalloc byte[40];
        unscaled.TryFormat(digits, out int count, default, CultureInfo.InvariantCulture);
        if (count <= scale) // 0.00ddd: pad with leading zeros
        {
            destination[n++] = (byte)'0';
            destination[n++] = (byte)'.';
            destination.Slice(n, scale - count).Fill((byte)'0');
            n += scale - count;
            return n + digits[..count].CopyToReturningLength(destination[n..]);
        }
        n += digits[..(count - scale)].CopyToReturningLength(destination[n..]);
        if (scale > 0)
        {
            destination[n++] = (byte)'.';
            n += digits.Slice(count - scale, scale).CopyToReturningLength(destination[n..]);
        }
        return n;
    }

    /// <summary>ISO <c>yyyy-MM-dd</c>; a day outside years 1..9999 is written as its day number.</summary>
    private static int WriteDate(int days, Span<byte> destination)
    {
        long dayNumber = (long)days + TextValues.UnixEpochDayNumber;
        if (dayNumber < 0 || dayNumber > DateOnly.MaxValue.DayNumber)
        {
            Utf8Formatter.TryFormat(days, destination, out int n);
            return n;
        }
        DateOnly.FromDayNumber((int)dayNumber).TryFormat(destination, out int written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>ISO 8601 in UTC, <c>yyyy-MM-ddTHH:mm:ss[.ffffff]Z</c>, the fraction only when not zero.</summary>
    private static int WriteTimestamp(long micros, Span<byte> destination)
    {
        if (micros < MinMicros || micros > MaxMicros) // outside years 1..9999: the raw count is all we can show
        {
            Utf8Formatter.TryFormat(micros, destination, out int n);
            return n;
        }
        var instant = DateTime.UnixEpoch.AddTicks(micros * 10);
        string format = micros % 1_000_000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";
        instant.TryFormat(destination, out int written, format, CultureInfo.InvariantCulture);
        return written;
    }

    private static int CopyToReturningLength(this ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
