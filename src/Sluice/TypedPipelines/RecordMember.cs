using System.Reflection;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>One property of a record type and the column it maps to.</summary>
/// <param name="Property">The property read when the record is written to a batch.</param>
/// <param name="ClrType">The property's type, <see cref="Nullable{T}"/> unwrapped.</param>
/// <param name="Nullable">Whether the property may hold null (a <c>T?</c> value type or a nullable reference).</param>
internal sealed record RecordMember(string Column, PropertyInfo Property, Type ClrType, FieldType FieldType, bool Nullable,
    string? Format, int DecimalScale)
{
    public string Describe(Type record) => $"{record.Name}.{Property.Name} ({TypeName(Property.PropertyType)})";

    public static string TypeName(Type type) =>
        System.Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?" : type.Name;

    /// <summary>The Sluice type a CLR type maps to, or null when it maps to none.</summary>
    public static FieldType? FieldTypeOf(Type type) => type switch
    {
        _ when type == typeof(long) || type == typeof(int) => FieldType.Int64,
        _ when type == typeof(double) => FieldType.Float64,
        _ when type == typeof(decimal) => FieldType.Decimal,
        _ when type == typeof(bool) => FieldType.Bool,
        _ when type == typeof(string) => FieldType.String,
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => FieldType.Timestamp,
        _ when type == typeof(DateOnly) => FieldType.Date,
        _ => null,
    };
}
