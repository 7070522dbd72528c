using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;

namespace Sluice.Contracts;

/// <summary>
/// Parses field values from the UTF-8 bytes a text source hands over, without allocating: numbers and ISO dates
/// are read straight from the span. Every method returns false on bad input and never throws.
/// </summary>
internal static class TextValues
{
    public const long MicrosPerDay = 86_400_000_000;
    public const int UnixEpochDayNumber = 719_162; // DateOnly(1970, 1, 1).DayNumber

    /// <summary>10^0 .. 10^38; decimal128 values are unscaled integers below 10^precision.</summary>
    public static readonly Int128[] Pow10 = BuildPow10();

    /// <summary>Exclusive bound of an unscaled decimal(28, s).</summary>
    public static Int128 DecimalLimit => Pow10[Records.FieldTypes.DecimalPrecision];

    /// <summary>Without leading and trailing spaces. A plain loop: the generic MemoryExtensions.Trim is not
    /// precompiled for bytes and ran as unoptimised code in the per-value path.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        int start = 0, end = text.Length;
        while (start < end && text[start] == (byte)' ') start++;
        while (end > start && text[end - 1] == (byte)' ') end--;
        return text[start..end];
    }

    public static bool TryParseBool(ReadOnlySpan<byte> text, out bool value)
    {
        value = false;
        if (text.Length == 1)
        {
            value = text[0] == (byte)'1';
            return text[0] is (byte)'1' or (byte)'0';
        }
        if (Ascii.EqualsIgnoreCase(text, "true"u8) || Ascii.EqualsIgnoreCase(text, "yes"u8))
        {
            value = true;
            return true;
        }
        return Ascii.EqualsIgnoreCase(text, "false"u8) || Ascii.EqualsIgnoreCase(text, "no"u8);
    }

    /// <summary>An optionally signed decimal integer. Up to 18 digits (cannot overflow) are read in a plain loop;
    /// longer ones go to <see cref="long.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider, out long)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        int start = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        int digits = text.Length - start;
        if (digits is < 1 or > 18)
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
        long result = 0;
        for (int i = start; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                value = 0;
                return false;
            }
            result = result * 10 + digit;
        }
        value = start == 1 && text[0] == (byte)'-' ? -result : result;
        return true;
    }

    /// <summary>Reads a float64. <c>NaN</c> and <c>Infinity</c> written as such are those values; a number too large
    /// for float64 (<c>1e400</c>) is not read as infinity but refused: it is not what the text says.</summary>
    public static bool TryParseFloat64(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
        && (double.IsFinite(value) || text.IndexOfAnyInRange((byte)'0', (byte)'9') < 0);

    /// <summary>Reads <c>[+-]digits[.digits]</c> as an unscaled decimal128 at <paramref name="scale"/>.
    /// Fractional digits beyond the scale are accepted only when they are zeros (the value is still exact);
    /// otherwise <paramref name="scaleExceeded"/> is set and the result is false.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, int scale, out Int128 unscaled, out bool scaleExceeded)
    {
        unscaled = 0;
        scaleExceeded = false;
        int i = 0;
        bool negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }
        Int128 acc = 0;
        int digits = 0, fraction = 0;
        bool inFraction = false;
        for (; i < text.Length; i++)
        {
            byte c = text[i];
            if (c == (byte)'.' && !inFraction)
            {
                inFraction = true;
                continue;
            }
            uint d = (uint)(c - '0');
            if (d > 9)
            {
                scaleExceeded = false; // not a number at all: a type error, not a scale error
                return false;
            }
            digits++;
            if (inFraction && fraction == scale)
            {
                scaleExceeded |= d != 0;
                continue;
            }
            fraction += inFraction ? 1 : 0;
            acc = acc * 10 + d;
            if (acc >= DecimalLimit)
            {
                return false;
            }
        }
        if (digits == 0 || scaleExceeded)
        {
            return false;
        }
        acc *= Pow10[scale - fraction];
        if (acc >= DecimalLimit)
        {
            return false;
        }
        unscaled = negative ? -acc : acc;
        return true;
    }

    /// <summary>Reads an ISO <c>yyyy-MM-dd</c> date as days since 1970-01-01.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public static bool TryParseDate(ReadOnlySpan<byte> text, out int days)
    {
        days = 0;
        return text.Length == 10 && TryReadDate(text, out days);
    }

    /// <summary>Reads an ISO 8601 timestamp as microseconds since 1970-01-01 UTC: <c>yyyy-MM-dd</c>, then
    /// optionally <c>T</c> or a space, <c>HH:mm[:ss[.fraction]]</c> and <c>Z</c> or an offset (<c>+HH:mm</c>,
    /// <c>+HHmm</c>, <c>+HH</c>). No offset means UTC; fractions finer than a microsecond are truncated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out long micros)
    {
        micros = 0;
        if (text.Length < 10 || !TryReadDate(text, out int days))
        {
            return false;
        }
        micros = days * MicrosPerDay;
        if (text.Length == 10)
        {
            return true;
        }
        if (text[10] is not ((byte)'T' or (byte)'t' or (byte)' ') || text.Length < 16 || text[13] != (byte)':'
            || !TryDigits(text.Slice(11, 2), out int hour) || !TryDigits(text.Slice(14, 2), out int minute)
            || hour > 23 || minute > 59)
        {
            return false;
        }
        long time = (hour * 60L + minute) * 60_000_000;
        int i = 16;
        if (i < text.Length && text[i] == (byte)':')
        {
            if (text.Length < i + 3 || !TryDigits(text.Slice(i + 1, 2), out int second) || second > 59)
            {
                return false;
            }
            time += second * 1_000_000L;
            i += 3;
            if (i < text.Length && text[i] is (byte)'.' or (byte)',')
            {
                int start = ++i;
                long fraction = 0;
                for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
                {
                    if (i - start < 6)
                    {
                        fraction = fraction * 10 + (text[i] - '0');
                    }
                }
                if (i == start)
                {
                    return false;
                }
                for (int n = i - start; n < 6; n++)
                {
                    fraction *= 10;
                }
                time += fraction;
            }
        }
        if (!TryReadOffset(text[i..], out int offsetMinutes))
        {
            return false;
        }
        micros += time - offsetMinutes * 60_000_000L;
        return true;
    }

    /// <summary>Parses a date with a .NET custom format; the text is decoded onto the stack.</summary>
    public static bool TryParseDateExact(ReadOnlySpan<byte> text, string format, out int days)
    {
        days = 0;
        Span<char> chars = stackalloc char[256];
        if (text.Length > chars.Length)
        {
            return false;
        }
        int n = Encoding.UTF8.GetChars(text, chars);
        if (!DateOnly.TryParseExact(chars[..n], format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }
        days = date.DayNumber - UnixEpochDayNumber;
        return true;
    }

    /// <summary>Parses a timestamp with a .NET custom format; text without an offset is UTC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public static bool TryParseTimestampExact(ReadOnlySpan<byte> text, string format, out long micros)
    {
        micros = 0;
        Span<char> chars = stackalloc char[256];
        if (text.Length > chars.Length)
        {
            return false;
        }
        int n = Encoding.UTF8.GetChars(text, chars);
        if (!DateTimeOffset.TryParseExact(chars[..n], format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var instant))
        {
            return false;
        }
        micros = (instant.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        return true;
    }

    public static int DaysOf(DateOnly date) => date.DayNumber - UnixEpochDayNumber;

    public static long MicrosOf(DateTimeOffset instant) => (instant.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>True when <paramref name="format"/> is a usable .NET date/time format.</summary>
    public static bool IsValidFormat(string format)
    {
        try
        {
            _ = DateTime.UnixEpoch.ToString(format, CultureInfo.InvariantCulture);
            return format.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private static bool TryReadDate(ReadOnlySpan<byte> text, out int days)
    {
        days = 0;
        if (text[4] != (byte)'-' || text[7] != (byte)'-'
            || !TryDigits(text[..4], out int year) || !TryDigits(text.Slice(5, 2), out int month)
            || !TryDigits(text.Slice(8, 2), out int day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        days = new DateOnly(year, month, day).DayNumber - UnixEpochDayNumber;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private static bool TryReadOffset(ReadOnlySpan<byte> text, out int minutes)
    {
        minutes = 0;
        if (text.IsEmpty)
        {
            return true;
        }
        if (text.Length == 1)
        {
            return text[0] is (byte)'Z' or (byte)'z';
        }
        if (text.Length < 3 || text[0] is not ((byte)'+' or (byte)'-') || !TryDigits(text.Slice(1, 2), out int hours))
        {
            return false;
        }
        ReadOnlySpan<byte> rest = text[3..];
        int mins = 0;
        if (rest.Length > 0 && rest[0] == (byte)':')
        {
            rest = rest[1..];
        }
        if (rest.Length > 0 && (rest.Length != 2 || !TryDigits(rest, out mins)))
        {
            return false;
        }
        if (hours > 23 || mins > 59)
        {
            return false;
        }
        minutes = (hours * 60 + mins) * (text[0] == (byte)'-' ? -1 : 1);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (byte c in text)
        {
            uint d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }
            value = value * 10 + (int)d;
        }
        return true;
    }

    private static Int128[] BuildPow10()
    {
        var table = new Int128[39];
        table[0] = 1;
        for (int i = 1; i < table.Length; i++)
        {
            table[i] = table[i - 1] * 10;
        }
        return table;
    }
}
