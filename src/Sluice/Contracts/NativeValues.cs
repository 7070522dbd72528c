using System.Text;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>
/// Contract values (bounds, enum entries) in the units a field's Arrow column stores: <see cref="long"/> for
/// int64 and timestamp (µs), <see cref="int"/> for date (days), <see cref="double"/> for float64 and
/// <see cref="Int128"/> (unscaled) for decimal. Converted once, when the stage is built, so checks compare raw
/// column values. Boxed here because this runs once per contract, never per record.
/// </summary>
internal static class NativeValues
{
    /// <summary>The bound in the field's units, or null with <paramref name="error"/> saying why not.</summary>
    public static object? FromBound(FieldContract field, FieldBound bound, out string? error)
    {
        error = null;
        object? native = (field.Type, bound.Value) switch
        {
            (FieldType.Int64, long l) => l,
            (FieldType.Int64, decimal m) when m == decimal.Truncate(m) && m >= long.MinValue && m <= long.MaxValue => (long)m,
            (FieldType.Int64, double d) when d == Math.Floor(d) && d >= long.MinValue && d < long.MaxValue => (long)d,
            (FieldType.Float64, long l) => (double)l,
            (FieldType.Float64, double d) => d,
            (FieldType.Float64, decimal m) => (double)m,
            (FieldType.Decimal, long or decimal or double) => FromDecimalText(bound.ToString(), field.DecimalScale),
            (FieldType.Date, DateOnly d) => TextValues.DaysOf(d),
            (FieldType.Date, DateTimeOffset t) when t.UtcTicks % TimeSpan.TicksPerDay == 0 =>
                TextValues.DaysOf(DateOnly.FromDateTime(t.UtcDateTime)),
            (FieldType.Timestamp, DateTimeOffset t) => TextValues.MicrosOf(t),
            (FieldType.Timestamp, DateOnly d) => TextValues.DaysOf(d) * TextValues.MicrosPerDay,
            _ => null,
        };
        if (native is null)
        {
            error = field.Type is FieldType.String or FieldType.Bool
                ? $"min and max do not apply to a {field.Type.Name()} field; remove them"
                : $"{bound} is not a valid {TypeText(field)}" +
                  (field.Type == FieldType.Decimal ? $" (at most {field.DecimalScale} digits after the point)" : "");
        }
        return native;
    }

    /// <summary>Text (as written in a pipeline file) read as the field's type, or null when it is not one.</summary>
    public static object? FromText(FieldContract field, string text)
    {
        ReadOnlySpan<byte> bytes = TextValues.Trim(Encoding.UTF8.GetBytes(text));
        return field.Type switch
        {
            FieldType.Int64 => TextValues.TryParseInt64(bytes, out long l) ? l : null,
            FieldType.Float64 => TextValues.TryParseFloat64(bytes, out double d) ? d : null,
            FieldType.Decimal => TextValues.TryParseDecimal(bytes, field.DecimalScale, out Int128 m, out _) ? m : null,
            FieldType.Date => (field.Format is null ? TextValues.TryParseDate(bytes, out int days)
                : TextValues.TryParseDateExact(bytes, field.Format, out days)) ? days : null,
            FieldType.Timestamp => (field.Format is null ? TextValues.TryParseTimestamp(bytes, out long micros)
                : TextValues.TryParseTimestampExact(bytes, field.Format, out micros)) ? micros : null,
            FieldType.Bool => TextValues.TryParseBool(bytes, out bool b) ? b : null,
            _ => text,
        };
    }

    /// <summary>A bound written in a pipeline file: ISO 8601 for dates and timestamps, invariant numbers.</summary>
    public static FieldBound? BoundFromText(FieldType type, string text)
    {
        ReadOnlySpan<byte> bytes = TextValues.Trim(Encoding.UTF8.GetBytes(text));
        return type switch
        {
            FieldType.Int64 when TextValues.TryParseInt64(bytes, out long l) => l,
            FieldType.Float64 when TextValues.TryParseFloat64(bytes, out double d) => d,
            FieldType.Decimal when decimal.TryParse(bytes, System.Globalization.NumberStyles.Number & ~System.Globalization.NumberStyles.AllowThousands,
                System.Globalization.CultureInfo.InvariantCulture, out decimal m) => m,
            FieldType.Date when TextValues.TryParseDate(bytes, out int days) =>
                DateOnly.FromDayNumber(days + TextValues.UnixEpochDayNumber),
            FieldType.Timestamp when TextValues.TryParseTimestamp(bytes, out long micros) && micros >= MinMicros =>
                DateTimeOffset.UnixEpoch.AddTicks(micros * 10),
            _ => null,
        };
    }

    private static readonly long MinMicros = TextValues.MicrosOf(DateTimeOffset.MinValue);

    public static string TypeText(FieldContract field) => field.Type == FieldType.Decimal
        ? $"decimal({FieldTypes.DecimalPrecision},{field.DecimalScale})"
        : field.Type.Name();

    private static object? FromDecimalText(string text, int scale) =>
        TextValues.TryParseDecimal(Encoding.ASCII.GetBytes(text), scale, out Int128 unscaled, out _) ? unscaled : null;
}
