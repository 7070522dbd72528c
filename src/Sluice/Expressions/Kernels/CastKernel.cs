using System.Globalization;
using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// Converts a column to another type: implicit widening (int64 → decimal → float64, date → timestamp) and explicit CAST.
/// Conversions that can fail (text parsing, float/decimal → int64 out of range, NaN) give a row error.
/// Numbers to int64 round half away from zero; timestamps to date take the UTC day.
/// </summary>
internal sealed class CastKernel : Kernel
{
    private readonly Kernel _operand;
    private readonly Func<Vec, EvalContext, Vec> _convert;

    public CastKernel(Kernel operand, FieldType to, string text) : base(to)
    {
        _operand = operand;
        _convert = Converter(operand.Type, to, text)
            ?? throw new InvalidOperationException($"no conversion from {operand.Type} to {to}");
    }

    public override Vec Evaluate(EvalContext context) => _convert(_operand.Evaluate(context), context);

    /// <summary>Whether CAST(from AS to) is allowed: anything to/from string, between numbers and bool, date ↔ timestamp.</summary>
    public static bool CanCast(FieldType from, FieldType to) => Converter(from, to, "") is not null;

    private static Func<Vec, EvalContext, Vec>? Converter(FieldType from, FieldType to, string text)
    {
        string Error(string value) => $"cannot cast {value} to {to.Name()} in {text}";
        string Quoted(string value) => Error($"'{value}'");
        if (from == to) return (v, _) => v;
        return (from, to) switch
        {
            (FieldType.String, FieldType.Bool) => (v, c) => VecOps.MapStr<bool>((StrVec)v, Conversions.TryParseBool, c, Quoted),
            (FieldType.String, FieldType.Int64) => (v, c) => VecOps.MapStr<long>((StrVec)v, Conversions.TryParseInt64, c, Quoted),
            (FieldType.String, FieldType.Float64) => (v, c) => VecOps.MapStr<double>((StrVec)v, Conversions.TryParseFloat64, c, Quoted),
            (FieldType.String, FieldType.Decimal) => (v, c) => VecOps.MapStr<decimal>((StrVec)v, Conversions.TryParseDecimal, c, Quoted),
            (FieldType.String, FieldType.Date) => (v, c) => VecOps.MapStr<int>((StrVec)v, Conversions.TryParseDate, c, Quoted),
            (FieldType.String, FieldType.Timestamp) => (v, c) => VecOps.MapStr<long>((StrVec)v, Conversions.TryParseTimestamp, c, Quoted),

            (FieldType.Bool, FieldType.String) => (v, c) => VecOps.Format<bool>((Vec<bool>)v, FormatBool, c, b => Error($"{b}")),
            (FieldType.Int64, FieldType.String) => (v, c) => VecOps.Format<long>((Vec<long>)v, FormatNumber, c, x => Error($"{x}")),
            (FieldType.Float64, FieldType.String) => (v, c) => VecOps.Format<double>((Vec<double>)v, FormatNumber, c, x => Error($"{x}")),
            (FieldType.Decimal, FieldType.String) => (v, c) => VecOps.Format<decimal>((Vec<decimal>)v, FormatNumber, c, x => Error($"{x}")),
            (FieldType.Date, FieldType.String) => (v, c) => VecOps.Format<int>((Vec<int>)v, Conversions.TryFormatDate, c, x => Error($"day {x}")),
            (FieldType.Timestamp, FieldType.String) => (v, c) => VecOps.Format<long>((Vec<long>)v, Conversions.TryFormatTimestamp, c, x => Error($"{x} µs")),

            (FieldType.Int64, FieldType.Float64) => (v, _) => VecOps.Map((Vec<long>)v, x => (double)x),
            (FieldType.Int64, FieldType.Decimal) => (v, _) => VecOps.Map((Vec<long>)v, x => (decimal)x),
            (FieldType.Int64, FieldType.Bool) => (v, _) => VecOps.Map((Vec<long>)v, x => x != 0),
            (FieldType.Decimal, FieldType.Float64) => (v, _) => VecOps.Map((Vec<decimal>)v, x => (double)x),
            (FieldType.Decimal, FieldType.Int64) => (v, c) => VecOps.TryMap<decimal, long>((Vec<decimal>)v, DecimalToInt64, c, x => Error($"{x}")),
            (FieldType.Decimal, FieldType.Bool) => (v, _) => VecOps.Map((Vec<decimal>)v, x => x != 0),
            (FieldType.Float64, FieldType.Int64) => (v, c) => VecOps.TryMap<double, long>((Vec<double>)v, DoubleToInt64, c, x => Error($"{x}")),
            (FieldType.Float64, FieldType.Decimal) => (v, c) => VecOps.TryMap<double, decimal>((Vec<double>)v, DoubleToDecimal, c, x => Error($"{x}")),
            (FieldType.Float64, FieldType.Bool) => (v, _) => VecOps.Map((Vec<double>)v, x => x != 0),
            (FieldType.Bool, FieldType.Int64) => (v, _) => VecOps.Map((Vec<bool>)v, x => x ? 1L : 0L),
            (FieldType.Bool, FieldType.Float64) => (v, _) => VecOps.Map((Vec<bool>)v, x => x ? 1d : 0d),
            (FieldType.Bool, FieldType.Decimal) => (v, _) => VecOps.Map((Vec<bool>)v, x => x ? 1m : 0m),

            (FieldType.Date, FieldType.Timestamp) => (v, _) => VecOps.Map((Vec<int>)v, Conversions.DateToTimestamp),
            (FieldType.Timestamp, FieldType.Date) => (v, _) => VecOps.Map((Vec<long>)v, Conversions.TimestampToDate),
            _ => null,
        };
    }

    private static bool FormatBool(bool value, Span<byte> destination, out int written)
    {
        var text = value ? "true"u8 : "false"u8;
        text.CopyTo(destination);
        written = text.Length;
        return true;
    }

    private static bool FormatNumber<T>(T value, Span<byte> destination, out int written) where T : IUtf8SpanFormattable =>
        value.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);

    private static bool DecimalToInt64(decimal value, out long result)
    {
        var rounded = Math.Round(value, MidpointRounding.AwayFromZero);
        bool fits = rounded is >= long.MinValue and <= long.MaxValue;
        result = fits ? (long)rounded : 0;
        return fits;
    }

    private static bool DoubleToInt64(double value, out long result)
    {
        var rounded = Math.Round(value, MidpointRounding.AwayFromZero);
        // 2^63 is exactly representable; anything at or above it does not fit, and NaN fails both tests.
        bool fits = rounded >= -9.223372036854775808e18 && rounded < 9.223372036854775808e18;
        result = fits ? (long)rounded : 0;
        return fits;
    }

    private static bool DoubleToDecimal(double value, out decimal result)
    {
        bool fits = double.IsFinite(value) && Math.Abs(value) < 7.9e28;
        result = fits ? (decimal)value : 0;
        return fits;
    }
}
