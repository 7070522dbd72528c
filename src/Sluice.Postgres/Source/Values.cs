using System.Globalization;
using Npgsql;

namespace Sluice.Postgres.Source;

/// <summary>
/// The conversions between PostgreSQL's values and Sluice's: dates and timestamps are read raw (days and microseconds
/// since 2000-01-01), so that <c>infinity</c> and years Sluice cannot hold are seen instead of becoming
/// <c>DateTime.MaxValue</c>; decimals become the unscaled integer of a decimal128. A value that cannot be converted
/// is a <see cref="Misfit"/>: its row is dead-lettered.
/// </summary>
internal static class Values
{
    private const long PostgresEpochMicros = 946_684_800_000_000; // 2000-01-01 in microseconds since 1970-01-01
    private const int PostgresEpochDays = 10_957;
    private static readonly long MinMicros = (DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    private static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    private static readonly int MinDays = DateOnly.MinValue.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
    private static readonly int MaxDays = DateOnly.MaxValue.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>10^28: a decimal128 of precision 28 holds unscaled values below it.</summary>
    public static readonly Int128 DecimalLimit = Int128.Parse("1" + new string('0', 28), CultureInfo.InvariantCulture);

    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Reads the current row's values into <paramref name="page"/> (a row already started); null when every
    /// value fit, else why the first one that did not.</summary>
    public static Misfit? ReadRow(NpgsqlDataReader reader, IReadOnlyList<SourceColumn> columns, PageColumns page)
    {
        for (int c = 0; c < columns.Count; c++)
        {
            if (reader.IsDBNull(c))
            {
                continue;
            }
            var column = columns[c];
            switch (column.Kind)
            {
                case ValueKind.Bool:
                    page.SetBool(c, reader.GetBoolean(c));
                    break;
                case ValueKind.Integer:
                    page.SetLong(c, reader.GetFieldValue<long>(c));
                    break;
                case ValueKind.Float:
                    page.SetDouble(c, reader.GetDouble(c));
                    break;
                case ValueKind.Decimal:
                    if (!TryReadDecimal(reader, c, out decimal value))
                    {
                        return new Misfit(column.Name, "out_of_range", $"{column.Name} is NaN, which a Sluice decimal cannot hold");
                    }
                    page.SetDecimal(c, Unscaled(value, column.Scale));
                    break;
                case ValueKind.Date:
                    int rawDays = reader.GetFieldValue<int>(c);
                    if (DaysOf(rawDays) is not { } days)
                    {
                        return new Misfit(column.Name, "out_of_range", $"{column.Name} is {DateText(rawDays)}, outside the years 1 to 9999 a Sluice date holds");
                    }
                    page.SetInt(c, days);
                    break;
                case ValueKind.Timestamp:
                    long rawMicros = reader.GetFieldValue<long>(c);
                    if (MicrosOf(rawMicros) is not { } micros)
                    {
                        return new Misfit(column.Name, "out_of_range", $"{column.Name} is {TimestampText(rawMicros)}, outside the years 1 to 9999 a Sluice timestamp holds");
                    }
                    page.SetLong(c, micros);
                    break;
                default:
                    page.SetText(c, reader.GetString(c));
                    break;
            }
        }
        return null;
    }

    public static bool TryReadDecimal(NpgsqlDataReader reader, int ordinal, out decimal value)
    {
        try
        {
            value = reader.GetDecimal(ordinal);
            return true;
        }
        catch (InvalidCastException)
        {
            value = 0; // NaN: the only value of a numeric(p,s) that is not a number
            return false;
        }
    }

    /// <summary>Microseconds since 1970 of a raw timestamp; null for ±infinity or a year outside 1 to 9999.</summary>
    public static long? MicrosOf(long raw) =>
        raw is long.MaxValue or long.MinValue || raw > MaxMicros - PostgresEpochMicros || raw < MinMicros - PostgresEpochMicros
            ? null
            : raw + PostgresEpochMicros;

    /// <summary>Days since 1970 of a raw date; null for ±infinity or a year outside 1 to 9999.</summary>
    public static int? DaysOf(int raw) =>
        raw is int.MaxValue or int.MinValue || raw > MaxDays - PostgresEpochDays || raw < MinDays - PostgresEpochDays
            ? null
            : raw + PostgresEpochDays;

    public static string TimestampText(long raw) => raw switch
    {
        long.MaxValue => "infinity",
        long.MinValue => "-infinity",
        _ when MicrosOf(raw) is { } micros => FormatMicros(micros),
        _ => $"{raw} µs from 2000-01-01",
    };

    public static string DateText(int raw) => raw switch
    {
        int.MaxValue => "infinity",
        int.MinValue => "-infinity",
        _ when DaysOf(raw) is { } days => FormatDays(days),
        _ => $"{raw} days from 2000-01-01",
    };

    public static string FormatMicros(long micros) =>
        DateTimeOffset.UnixEpoch.AddTicks(micros * 10).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static string FormatDays(int days) =>
        DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays(days).ToString(DateFormat, CultureInfo.InvariantCulture);

    public static long? ParseMicros(string text) =>
        DateTimeOffset.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10
            : null;

    public static int? ParseDays(string text) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber
            : null;

    /// <summary>The unscaled integer of <paramref name="value"/> at <paramref name="scale"/> digits after the point;
    /// null when it has more digits than that, or more than 28 in all.</summary>
    public static Int128? TryUnscaled(decimal value, int scale)
    {
        if (value.Scale > scale && decimal.Round(value, scale) != value)
        {
            return null;
        }
        return Unscaled(value, scale);
    }

    /// <summary>The unscaled integer of a value that has at most <paramref name="scale"/> significant digits after
    /// the point.</summary>
    public static Int128 Unscaled(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        int have = value.Scale;
        for (; have < scale; have++)
        {
            mantissa *= 10;
        }
        for (; have > scale; have--)
        {
            mantissa /= 10; // only trailing zeros (checked by the caller)
        }
        return value < 0 ? -mantissa : mantissa;
    }
}

/// <summary>A value the source read but Sluice cannot hold: its row becomes a dead letter (reason <c>parse</c>).</summary>
internal sealed record Misfit(string Field, string Rule, string Message);
