using Sluice.Records;
namespace Sluice;

/// <summary>The value types a Sluice record field can have. Each maps to one Arrow type (see <see cref="FieldTypes"/>).</summary>
public enum FieldType
{
    Bool,
    Int64,
    Float64,
    /// <summary>Exact decimal, stored as Arrow decimal128(<see cref="FieldTypes.DecimalPrecision"/>, scale).</summary>
    Decimal,
    String,
    /// <summary>Calendar date, stored as Arrow date32 (days since 1970-01-01).</summary>
    Date,
    /// <summary>Instant in UTC, stored as Arrow timestamp(microsecond, "UTC").</summary>
    Timestamp,
}
