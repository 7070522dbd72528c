using Sluice.Records;

namespace Sluice.Cli.Scaffolding;

/// <summary>A column of a data file and the contract field <c>sluice init</c> writes for it.</summary>
/// <param name="Format">The .NET date/time format its values are in, for a date or timestamp that is not ISO 8601.</param>
/// <param name="Scale">Digits after the point, for a decimal (Parquet only).</param>
/// <param name="Required">True when no sampled record lacked a value.</param>
internal sealed record InferredColumn(string Name, FieldType Type, string? Format, int? Scale, bool Required);
