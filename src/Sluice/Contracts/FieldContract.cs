using System.Text.RegularExpressions;
using Sluice.Contracts;
using Sluice.Records;

namespace Sluice;

/// <summary>What one field of a record must be. Rules that do not apply to the field's type are rejected when
/// the contract is bound or built, never silently ignored.</summary>
/// <param name="Name">The column the field is read from and written to.</param>
/// <param name="Type">The type values are parsed or converted to.</param>
public sealed record FieldContract(string Name, FieldType Type)
{
    /// <summary>A record whose value is null or missing is dead-lettered. The default value is false.</summary>
    public bool Required { get; init; }

    /// <summary>Smallest allowed value (numbers, dates, timestamps); inclusive.</summary>
    public FieldBound? Min { get; init; }

    /// <summary>Largest allowed value (numbers, dates, timestamps); inclusive.</summary>
    public FieldBound? Max { get; init; }

    /// <summary>A regular expression a string value must match (anchor it with <c>^…$</c> to match the whole value).</summary>
    public Regex? Pattern { get; init; }

    /// <summary>The allowed values, written as text and read as the field's type.</summary>
    public IReadOnlyList<string>? Enum { get; init; }

    /// <summary>Largest allowed length of a string value, in Unicode code points.</summary>
    public int? MaxLength { get; init; }

    /// <summary>A .NET custom date/time format (e.g. <c>yyyy/MM/dd HH:mm</c>) that date and timestamp text is
    /// parsed with instead of ISO 8601.</summary>
    public string? Format { get; init; }

    /// <summary>Digits after the decimal point of a decimal field, 0..28. The default value is
    /// <see cref="FieldTypes.DefaultDecimalScale"/>.</summary>
    public int? Scale { get; init; }

    /// <summary>The scale the field is stored with.</summary>
    public int DecimalScale => Scale ?? FieldTypes.DefaultDecimalScale;
}
