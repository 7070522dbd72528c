using System.Globalization;
using System.Text;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// Value conversions shared by CAST kernels and compile-time literal coercion. Text is UTF-8, parsed and formatted with
/// the invariant culture; surrounding ASCII whitespace is ignored when parsing.
/// </summary>
internal static class Conversions
{
    public const long MicrosPerDay = 86_400_000_000;
    private const long MicrosPerSecond = 1_000_000;
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int EpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];

    public static bool TryParseBool(ReadOnlySpan<byte> s, out bool value)
    {
        s = Trim(s);
        bool t = Ascii.EqualsIgnoreCase(s, "true"u8) || s.SequenceEqual("1"u8);
        bool f = Ascii.EqualsIgnoreCase(s, "false"u8) || s.SequenceEqual("0"u8);
        value = t;
        return t || f;
    }

    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value) =>
        long.TryParse(Trim(s), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseFloat64(ReadOnlySpan<byte> s, out double value) =>
        double.TryParse(Trim(s), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out decimal value) =>
        decimal.TryParse(Trim(s), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Parses <c>yyyy-MM-dd</c> into days since 1970-01-01.</summary>
    public static bool TryParseDate(ReadOnlySpan<byte> s, out int days)
    {
        days = 0;
        Span<char> chars = stackalloc char[64];
        if (!TryDecode(Trim(s), chars, out int n)
            || !DateOnly.TryParseExact(chars[..n], DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return false;
        days = date.DayNumber - EpochDayNumber;
        return true;
    }

    /// <summary>Parses an ISO 8601 date or date-time into microseconds since the epoch; without an offset it is UTC.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> s, out long micros)
    {
        micros = 0;
        Span<char> chars = stackalloc char[64];
        if (!TryDecode(Trim(s), chars, out int n)
            || !DateTimeOffset.TryParse(chars[..n], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            return false;
        micros = (value.UtcTicks - EpochTicks) / 10;
        return true;
    }

    public static long DateToTimestamp(int days) => days * MicrosPerDay;

    public static int TimestampToDate(long micros) => (int)Math.Floor(micros / (double)MicrosPerDay);

    /// <summary>The timestamp as a UTC DateTime, false when it is outside DateTime's range (years 1–9999).</summary>
    public static bool TryToDateTime(long micros, out DateTime value)
    {
        value = default;
        if (micros < (DateTime.MinValue.Ticks - EpochTicks) / 10 || micros > (DateTime.MaxValue.Ticks - EpochTicks) / 10) return false;
        value = new DateTime(EpochTicks + micros * 10, DateTimeKind.Utc);
        return true;
    }

    /// <summary>Formats a timestamp as <c>yyyy-MM-ddTHH:mm:ssZ</c>, with <c>.ffffff</c> when it has a fraction.</summary>
    public static bool TryFormatTimestamp(long micros, Span<byte> destination, out int written)
    {
        written = 0;
        if (!TryToDateTime(micros, out var value)) return false;
        string format = micros % MicrosPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
        return value.TryFormat(destination, out written, format, CultureInfo.InvariantCulture);
    }

    public static bool TryFormatDate(int days, Span<byte> destination, out int written)
    {
        written = 0;
        int dayNumber = days + EpochDayNumber;
        if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber) return false;
        return DateOnly.FromDayNumber(dayNumber).TryFormat(destination, out written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => s.Trim(" \t\r\n"u8);

    private static bool TryDecode(ReadOnlySpan<byte> s, Span<char> chars, out int n)
    {
        n = 0;
        return s.Length <= chars.Length && Encoding.UTF8.TryGetChars(s, chars, out n);
    }
}
