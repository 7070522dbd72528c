namespace Sluice;

/// <summary>Names the column a property of a typed pipeline's record is read from and written to, instead of the
/// property's name in snake_case, and says how its text is read.</summary>
/// <param name="name">The column's name; null keeps the snake_case name of the property.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ColumnAttribute(string? name = null) : Attribute
{
    public string? Name { get; } = name;

    /// <summary>A .NET custom date/time format that the source's text is parsed with instead of ISO 8601, for a
    /// <see cref="DateTime"/>, <see cref="DateTimeOffset"/> or <see cref="DateOnly"/> property (e.g. <c>yyyy/MM/dd HH:mm</c>).</summary>
    public string? Format { get; init; }

    /// <summary>Digits after the decimal point of a <see cref="decimal"/> property, 0..28. The default value is 9.</summary>
    public int Scale { get; init; } = -1;
}
