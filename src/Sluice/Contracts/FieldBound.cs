using System.Globalization;
using Sluice.Contracts;

namespace Sluice;

/// <summary>
/// A <c>min</c> or <c>max</c> of a <see cref="FieldContract"/>, typed: a number (<see cref="long"/>,
/// <see cref="double"/> or <see cref="decimal"/>) for numeric fields, a <see cref="DateOnly"/> for dates and a
/// <see cref="DateTimeOffset"/> (or <see cref="DateTime"/>, taken as UTC) for timestamps. Written in C# as a plain
/// value thanks to implicit conversions: <c>Min = 1, Max = new DateOnly(2030, 1, 1)</c>.
/// </summary>
public readonly record struct FieldBound
{
    private FieldBound(object value) => Value = value;

    /// <summary>The bound: a long, double, decimal, DateOnly or DateTimeOffset.</summary>
    public object Value { get; }

    public static implicit operator FieldBound(long value) => new(value);
    public static implicit operator FieldBound(double value) => new(value);
    public static implicit operator FieldBound(decimal value) => new(value);
    public static implicit operator FieldBound(DateOnly value) => new(value);
    public static implicit operator FieldBound(DateTimeOffset value) => new(value.ToUniversalTime());
    public static implicit operator FieldBound(DateTime value) =>
        new(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));

    public override string ToString() => Value switch
    {
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value?.ToString() ?? "",
    };
}
