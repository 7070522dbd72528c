namespace Sluice.Connectors.Csv;

/// <summary>How a field was written, which decides its value: an empty unquoted field is null, a quoted one a string.</summary>
internal enum CsvFieldKind : byte
{
    Unquoted,
    Quoted,
    /// <summary>Quoted and containing doubled quotes, which must be made single when the value is copied.</summary>
    QuotedEscaped,
}
