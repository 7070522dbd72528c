using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Records;

/// <summary>Conversions between <see cref="FieldType"/>, its pipeline-file name and its Arrow type.</summary>
internal static class FieldTypes
{
    /// <summary>C# decimal holds 28-29 significant digits, so that is the widest decimal we can compute with exactly.</summary>
    public const int DecimalPrecision = 28;

    /// <summary>Scale used when a contract does not give one.</summary>
    public const int DefaultDecimalScale = 9;

    public static readonly IReadOnlyList<string> Names = ["bool", "int64", "float64", "decimal", "string", "date", "timestamp"];

    public static string Name(this FieldType type) => Names[(int)type];

    public static bool TryParse(string name, out FieldType type)
    {
        int index = Names.ToList().IndexOf(name);
        type = (FieldType)Math.Max(index, 0);
        return index >= 0;
    }

    public static IArrowType ToArrow(this FieldType type, int decimalScale = DefaultDecimalScale) => type switch
    {
        FieldType.Bool => BooleanType.Default,
        FieldType.Int64 => Int64Type.Default,
        FieldType.Float64 => DoubleType.Default,
        FieldType.Decimal => new Decimal128Type(DecimalPrecision, decimalScale),
        FieldType.String => StringType.Default,
        FieldType.Date => Date32Type.Default,
        FieldType.Timestamp => new TimestampType(TimeUnit.Microsecond, "UTC"),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The Sluice type an Arrow type is read as, or null when Sluice has no equivalent.</summary>
    public static FieldType? FromArrow(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => FieldType.Bool,
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 => FieldType.Int64,
        ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double => FieldType.Float64,
        ArrowTypeId.Decimal128 => FieldType.Decimal,
        ArrowTypeId.String or ArrowTypeId.LargeString => FieldType.String,
        ArrowTypeId.Date32 or ArrowTypeId.Date64 => FieldType.Date,
        ArrowTypeId.Timestamp => FieldType.Timestamp,
        _ => null,
    };

    public static Field ArrowField(string name, FieldType type, int decimalScale = DefaultDecimalScale) =>
        new(name, type.ToArrow(decimalScale), nullable: true);
}
