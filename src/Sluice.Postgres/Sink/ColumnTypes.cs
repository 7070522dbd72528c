using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Postgres.Sink;

/// <summary>A column of the target table as the catalog describes it.</summary>
/// <param name="TypeName">The base type's name in <c>pg_type</c> (<c>int8</c>, <c>varchar</c> …; a domain's base type).</param>
/// <param name="TypeMod">The type modifier (<c>atttypmod</c>): length of a <c>varchar(n)</c>, precision and scale of
/// a <c>numeric(p,s)</c>; -1 for none.</param>
/// <param name="Declared">The type as SQL writes it (<c>character varying(20)</c>), for messages and the staging table.</param>
/// <param name="Writable">False for a generated column, or an identity column <c>GENERATED ALWAYS</c>: no insert may set it.</param>
internal sealed record TableColumn(string Name, string TypeName, int TypeMod, string Declared, bool NotNull, bool HasDefault, bool Writable);

/// <summary>Which Arrow input types go into which PostgreSQL column types, and the type <c>create: true</c> gives a column.</summary>
internal static class ColumnTypes
{
    /// <summary>The kinds of input the sink writes; every other Arrow type is refused when the pipeline is built.</summary>
    public enum Input { Bool, Integer, Float, Decimal, Text, Date, Timestamp }

    public static Input? InputOf(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.Boolean => Input.Bool,
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
            or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 => Input.Integer,
        ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double => Input.Float,
        ArrowTypeId.Decimal128 => Input.Decimal,
        ArrowTypeId.String => Input.Text,
        ArrowTypeId.Date32 or ArrowTypeId.Date64 => Input.Date,
        ArrowTypeId.Timestamp => Input.Timestamp,
        _ => null,
    };

    /// <summary>The column type <c>create: true</c> declares for an input column.</summary>
    public static string Declare(Field field) => field.DataType switch
    {
        BooleanType => "boolean",
        Decimal128Type d => $"numeric({d.Precision},{d.Scale})",
        _ => InputOf(field.DataType) switch
        {
            Input.Integer => "bigint",
            Input.Float => "double precision",
            Input.Text => "text",
            Input.Date => "date",
            Input.Timestamp => "timestamp with time zone",
            _ => throw new ArgumentException($"no column type for {field.DataType.Name}", nameof(field)),
        },
    };

    /// <summary>The column types (by <c>pg_type</c> name) each kind of input may be written into. Narrower ones
    /// (<c>integer</c>, <c>varchar(n)</c>, <c>numeric(p,s)</c>, <c>real</c>) are checked value by value: a value that
    /// does not fit is dead-lettered.</summary>
    public static IReadOnlyList<string> Accepting(Input input) => input switch
    {
        Input.Bool => ["bool"],
        Input.Integer => ["int8", "int4", "int2", "numeric", "float8", "float4"],
        Input.Float => ["float8", "float4", "numeric"],
        Input.Decimal => ["numeric", "float8", "float4"],
        Input.Text => ["text", "varchar", "bpchar"],
        Input.Date => ["date"],
        Input.Timestamp => ["timestamptz", "timestamp"],
        _ => [],
    };

    /// <summary>How a message names an input type: the pipeline file's names where there is one.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        Decimal128Type d => $"decimal({d.Precision},{d.Scale})",
        _ => InputOf(type) switch
        {
            Input.Bool => "bool",
            Input.Integer => type.TypeId == ArrowTypeId.Int64 ? "int64" : $"{type.Name} (an integer)",
            Input.Float => type.TypeId == ArrowTypeId.Double ? "float64" : type.Name,
            Input.Text => "string",
            Input.Date => "date",
            Input.Timestamp => "timestamp",
            _ => type.Name,
        },
    };
}
