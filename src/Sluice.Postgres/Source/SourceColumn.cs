using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Postgres.Source;

/// <summary>How the source reads a PostgreSQL column, and the Sluice type it becomes.</summary>
internal enum ValueKind
{
    /// <summary><c>boolean</c> → bool.</summary>
    Bool,

    /// <summary><c>smallint</c>, <c>integer</c>, <c>bigint</c> → int64.</summary>
    Integer,

    /// <summary><c>real</c>, <c>double precision</c> → float64.</summary>
    Float,

    /// <summary><c>numeric(p,s)</c> with 0 ≤ s ≤ p ≤ 28 → decimal with scale s (exact: it fits a decimal128).</summary>
    Decimal,

    /// <summary><c>text</c>, <c>varchar</c>, <c>char</c>, <c>name</c> → string.</summary>
    Text,

    /// <summary><c>date</c> → date (days; read raw, so <c>infinity</c> is seen, not mistaken for a date).</summary>
    Date,

    /// <summary><c>timestamptz</c>, and <c>timestamp</c> read as if UTC → timestamp (µs; read raw, as for dates).</summary>
    Timestamp,

    /// <summary>Every other type (uuid, json, jsonb, interval, time, bytea, arrays, enums, unconstrained or wide
    /// numeric …) → string: the server's own text for the value (<c>::text</c>), which loses nothing.</summary>
    AsText,
}

/// <summary>One column of what the source reads, as the server describes it.</summary>
/// <param name="Name">The column's name in the table or the query's result.</param>
/// <param name="TypeName">The type as SQL writes it (<c>timestamp with time zone</c>, a domain's name), for messages.</param>
/// <param name="BaseType">The <c>pg_type</c> name of the type, or of a domain's base type (<c>int8</c>, <c>timestamptz</c>).</param>
/// <param name="CastName">The type, schema-qualified, as a cast names it (<c>pg_catalog.int8</c>): a cursor value is
/// sent back as text cast to it.</param>
/// <param name="IsDomain">A domain: read as its base type (cast to it in the query).</param>
internal sealed record SourceColumn(string Name, string TypeName, string BaseType, string CastName, bool IsDomain, ValueKind Kind, int Scale)
{
    /// <summary>The PostgreSQL base types a cursor (or a snapshot's key) may be: totally ordered, and exact as text.</summary>
    public static readonly IReadOnlySet<string> CursorTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "int2", "int4", "int8", "numeric", "date", "timestamp", "timestamptz", "text", "varchar", "bpchar", "uuid",
    };

    /// <summary>The kind a column of base type <paramref name="baseType"/> is read as; <paramref name="precision"/> and
    /// <paramref name="scale"/> are a numeric's (null when unconstrained).</summary>
    public static (ValueKind Kind, int Scale) KindOf(string baseType, int? precision, int? scale) => baseType switch
    {
        "bool" => (ValueKind.Bool, 0),
        "int2" or "int4" or "int8" => (ValueKind.Integer, 0),
        "float4" or "float8" => (ValueKind.Float, 0),
        "numeric" when precision is { } p && scale is { } s && s >= 0 && s <= p && p <= DecimalPrecision => (ValueKind.Decimal, s),
        "text" or "varchar" or "bpchar" or "name" => (ValueKind.Text, 0),
        "date" => (ValueKind.Date, 0),
        "timestamp" or "timestamptz" => (ValueKind.Timestamp, 0),
        _ => (ValueKind.AsText, 0),
    };

    /// <summary>Sluice's widest exact decimal (a C# decimal's 28 digits, stored as decimal128).</summary>
    public const int DecimalPrecision = 28;

    public IArrowType ArrowType => Kind switch
    {
        ValueKind.Bool => BooleanType.Default,
        ValueKind.Integer => Int64Type.Default,
        ValueKind.Float => DoubleType.Default,
        ValueKind.Decimal => new Decimal128Type(DecimalPrecision, Scale),
        ValueKind.Date => Date32Type.Default,
        ValueKind.Timestamp => new TimestampType(TimeUnit.Microsecond, "UTC"),
        _ => StringType.Default,
    };

    public Field ArrowField => new(Name, ArrowType, nullable: true);

    /// <summary>The Sluice type's name, for messages and docs.</summary>
    public string SluiceType => Kind switch
    {
        ValueKind.Bool => "bool",
        ValueKind.Integer => "int64",
        ValueKind.Float => "float64",
        ValueKind.Decimal => $"decimal({DecimalPrecision},{Scale})",
        ValueKind.Date => "date",
        ValueKind.Timestamp => "timestamp",
        _ => "string",
    };

    /// <summary>The column quoted, as the reading query refers to it.</summary>
    public string Sql => $"sluice_source.{TableName.Quote(Name)}";

    /// <summary>What the reading query selects for it: the column; a domain cast to its base type; the text of a
    /// type Sluice has no equivalent for.</summary>
    public string SelectSql => Kind switch
    {
        ValueKind.AsText => $"{Sql}::pg_catalog.text",
        _ when IsDomain => $"{Sql}::pg_catalog.{BaseType}",
        _ => Sql,
    };

    /// <summary>The column's value as text, for a cursor: PostgreSQL's own output (DateStyle ISO in the source's
    /// sessions), which its input reads back to the same value.</summary>
    public string CursorTextSql => $"{Sql}::pg_catalog.text";
}
