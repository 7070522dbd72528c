using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Npgsql;
using NpgsqlTypes;

namespace Sluice.Postgres.Sink;

/// <summary>Why a value cannot be written: the dead letter's rule and message.</summary>
internal readonly record struct Refusal(string Rule, string Message);

/// <summary>
/// Writes one input column into one column of the staging table (which has the target column's type) by binary
/// COPY. <see cref="Check"/> finds, before a row is started, the values the server would refuse — a null in a NOT NULL
/// column, text with a NUL byte, a number or a text that does not fit the column's type — so that such a record is
/// dead-lettered alone instead of failing the COPY of the whole batch.
/// </summary>
internal abstract class ColumnWriter(int input, string fieldName, TableColumn column)
{
    /// <summary>The column's index in the input batches.</summary>
    public int Input => input;

    /// <summary>The input column's name: the dead letter's field.</summary>
    public string Field => fieldName;

    public TableColumn Column => column;

    /// <summary>The rule and message for a null here, or null when a null may be written.</summary>
    public Refusal? OnNull { get; set; }

    protected IArrowArray Array { get; private set; } = null!;

    /// <summary>Reads from <paramref name="data"/>'s column until the next call.</summary>
    public virtual void Bind(RecordBatch data) => Array = data.Column(input);

    public Refusal? Check(int row)
    {
        if (Array.IsNull(row))
        {
            return OnNull;
        }
        try
        {
            return CheckValue(row);
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            return OutOfRange(ValueText(row));
        }
    }

    protected virtual Refusal? CheckValue(int row) => null;

    public void Write(NpgsqlBinaryImporter importer, int row)
    {
        if (Array.IsNull(row))
        {
            importer.WriteNull();
        }
        else
        {
            WriteValue(importer, row);
        }
    }

    protected abstract void WriteValue(NpgsqlBinaryImporter importer, int row);

    protected Refusal OutOfRange(string value) =>
        new("out_of_range", $"{value} does not fit column {TableName.Quote(Column.Name)} ({Column.Declared})");

    /// <summary>The input value as text, for a message.</summary>
    private string ValueText(int row) => Array switch
    {
        StringArray s => s.GetString(row),
        Decimal128Array d => d.GetString(row) ?? "",
        Int64Array i => i.Values[row].ToString(CultureInfo.InvariantCulture),
        DoubleArray f => f.Values[row].ToString("R", CultureInfo.InvariantCulture),
        _ => $"the value in row {row}",
    };

    /// <summary>The writer of <paramref name="field"/> (input column <paramref name="index"/>) into
    /// <paramref name="column"/>; null when that input type cannot go into that column type.</summary>
    public static ColumnWriter? For(int index, Field field, TableColumn column)
    {
        var input = ColumnTypes.InputOf(field.DataType);
        string name = field.Name;
        return (input, column.TypeName) switch
        {
            (ColumnTypes.Input.Bool, "bool") => new Value<bool>(index, name, column, Bools, null, static (w, v) => w.Write(v, NpgsqlDbType.Boolean)),
            (ColumnTypes.Input.Integer, "int8") => new Value<long>(index, name, column, Integers, null, static (w, v) => w.Write(v, NpgsqlDbType.Bigint)),
            (ColumnTypes.Input.Integer, "int4") => new Value<long>(index, name, column, Integers, static v => v is >= int.MinValue and <= int.MaxValue,
                static (w, v) => w.Write((int)v, NpgsqlDbType.Integer)),
            (ColumnTypes.Input.Integer, "int2") => new Value<long>(index, name, column, Integers, static v => v is >= short.MinValue and <= short.MaxValue,
                static (w, v) => w.Write((short)v, NpgsqlDbType.Smallint)),
            (ColumnTypes.Input.Integer, "numeric") => new Value<long>(index, name, column, Integers, NumericFits<long>(column, static v => v),
                static (w, v) => w.Write((decimal)v, NpgsqlDbType.Numeric)),
            (ColumnTypes.Input.Integer, "float8") => new Value<long>(index, name, column, Integers, null, static (w, v) => w.Write((double)v, NpgsqlDbType.Double)),
            (ColumnTypes.Input.Integer, "float4") => new Value<long>(index, name, column, Integers, null, static (w, v) => w.Write((float)v, NpgsqlDbType.Real)),
            (ColumnTypes.Input.Float, "float8") => new Value<double>(index, name, column, Doubles, null, static (w, v) => w.Write(v, NpgsqlDbType.Double)),
            (ColumnTypes.Input.Float, "float4") => new Value<double>(index, name, column, Doubles, static v => !double.IsFinite(v) || Math.Abs(v) <= float.MaxValue,
                static (w, v) => w.Write((float)v, NpgsqlDbType.Real)),
            (ColumnTypes.Input.Float, "numeric") => new Value<double>(index, name, column, Doubles, NumericFits<double>(column, static v => (decimal)v),
                static (w, v) => w.Write((decimal)v, NpgsqlDbType.Numeric)),
            (ColumnTypes.Input.Decimal, "numeric") => new Value<decimal>(index, name, column, Decimals, NumericFits<decimal>(column, static v => v),
                static (w, v) => w.Write(v, NpgsqlDbType.Numeric)),
            (ColumnTypes.Input.Decimal, "float8") => new Value<decimal>(index, name, column, Decimals, null, static (w, v) => w.Write((double)v, NpgsqlDbType.Double)),
            (ColumnTypes.Input.Decimal, "float4") => new Value<decimal>(index, name, column, Decimals, null, static (w, v) => w.Write((float)v, NpgsqlDbType.Real)),
            (ColumnTypes.Input.Text, "text" or "varchar" or "bpchar") => new Text(index, name, column),
            (ColumnTypes.Input.Date, "date") => new Value<DateOnly>(index, name, column, Dates, null, static (w, v) => w.Write(v, NpgsqlDbType.Date)),
            (ColumnTypes.Input.Timestamp, "timestamptz") => new Value<DateTime>(index, name, column, a => Timestamps(a, DateTimeKind.Utc), null,
                static (w, v) => w.Write(v, NpgsqlDbType.TimestampTz)),
            (ColumnTypes.Input.Timestamp, "timestamp") => new Value<DateTime>(index, name, column, a => Timestamps(a, DateTimeKind.Unspecified), null,
                static (w, v) => w.Write(v, NpgsqlDbType.Timestamp)),
            _ => null,
        };
    }

    /// <summary>Whether a value fits a <c>numeric(p,s)</c> column once rounded to s places, as the server rounds it
    /// (half away from zero); null for a plain <c>numeric</c>, which takes any value a C# decimal holds.</summary>
    private static Func<T, bool>? NumericFits<T>(TableColumn column, Func<T, decimal> convert)
    {
        if (column.TypeMod < 4)
        {
            return v => { _ = convert(v); return true; }; // unconstrained: only the conversion may overflow
        }
        int precision = ((column.TypeMod - 4) >> 16) & 0xFFFF;
        int scale = (column.TypeMod - 4) & 0x7FF;
        scale = (scale & 0x400) != 0 ? scale - 0x800 : scale; // PostgreSQL 15 allows a negative scale
        if (scale is < 0 or > 28 || precision - scale >= 29)
        {
            return v => { _ = convert(v); return true; };
        }
        decimal limit = 1m;
        for (int i = 0; i < precision - scale; i++)
        {
            limit *= 10m;
        }
        return v => Math.Abs(Math.Round(convert(v), scale, MidpointRounding.AwayFromZero)) < limit;
    }

    private static Func<int, bool> Bools(IArrowArray array)
    {
        var a = (BooleanArray)array;
        return row => a.GetValue(row)!.Value;
    }

    private static Func<int, long> Integers(IArrowArray array) => array switch
    {
        Int64Array a => row => a.Values[row],
        Int32Array a => row => a.Values[row],
        Int16Array a => row => a.Values[row],
        Int8Array a => row => a.Values[row],
        UInt32Array a => row => a.Values[row],
        UInt16Array a => row => a.Values[row],
        UInt8Array a => row => a.Values[row],
        _ => throw new ArgumentException($"not an integer array: {array.Data.DataType.Name}", nameof(array)),
    };

    private static Func<int, double> Doubles(IArrowArray array) => array switch
    {
        DoubleArray a => row => a.Values[row],
        FloatArray a => row => a.Values[row],
        HalfFloatArray a => row => (double)a.GetValue(row)!.Value,
        _ => throw new ArgumentException($"not a floating-point array: {array.Data.DataType.Name}", nameof(array)),
    };

    private static Func<int, decimal> Decimals(IArrowArray array)
    {
        var a = (Decimal128Array)array;
        return row => a.GetValue(row)!.Value; // throws OverflowException past a C# decimal: checked first
    }

    private const int UnixEpochDayNumber = 719_162; // DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber

    private static Func<int, DateOnly> Dates(IArrowArray array) => array switch
    {
        Date32Array a => row => DateOnly.FromDayNumber(checked(UnixEpochDayNumber + a.Values[row])),
        Date64Array a => row => DateOnly.FromDayNumber(checked(UnixEpochDayNumber + (int)Math.Floor(a.Values[row] / 86_400_000d))),
        _ => throw new ArgumentException($"not a date array: {array.Data.DataType.Name}", nameof(array)),
    };

    private static Func<int, DateTime> Timestamps(IArrowArray array, DateTimeKind kind)
    {
        var a = (TimestampArray)array;
        long ticksPer = ((TimestampType)a.Data.DataType).Unit switch
        {
            TimeUnit.Second => TimeSpan.TicksPerSecond,
            TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
            TimeUnit.Microsecond => TimeSpan.TicksPerMicrosecond,
            _ => 0, // nanoseconds: divided below
        };
        return ticksPer == 0
            ? row => new DateTime(DateTime.UnixEpoch.Ticks + a.Values[row] / 100, kind)
            : row => new DateTime(checked(DateTime.UnixEpoch.Ticks + checked(a.Values[row] * ticksPer)), kind);
    }

    /// <summary>A column whose values are read as <typeparamref name="T"/>, checked by an optional predicate (false:
    /// out of range) and written by <c>write</c>.</summary>
    private sealed class Value<T>(int input, string field, TableColumn column, Func<IArrowArray, Func<int, T>> reader,
        Func<T, bool>? fits, Action<NpgsqlBinaryImporter, T> write) : ColumnWriter(input, field, column)
    {
        private Func<int, T> _read = null!;

        public override void Bind(RecordBatch data)
        {
            base.Bind(data);
            _read = reader(Array);
        }

        protected override Refusal? CheckValue(int row)
        {
            T value = _read(row); // a conversion that overflows throws: out of range
            return fits is null || fits(value) ? null : OutOfRange(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        }

        protected override void WriteValue(NpgsqlBinaryImporter importer, int row) => write(importer, _read(row));
    }

    /// <summary>A string column: text with a NUL byte is refused (PostgreSQL text cannot hold U+0000), and so is
    /// one longer than a <c>varchar(n)</c> or <c>char(n)</c> column's n characters.</summary>
    private sealed class Text : ColumnWriter
    {
        private readonly int _maxLength;
        private readonly NpgsqlDbType _type;

        public Text(int input, string field, TableColumn column) : base(input, field, column)
        {
            _maxLength = column.TypeName is "varchar" or "bpchar" && column.TypeMod > 4 ? column.TypeMod - 4 : 0;
            _type = column.TypeName switch { "varchar" => NpgsqlDbType.Varchar, "bpchar" => NpgsqlDbType.Char, _ => NpgsqlDbType.Text };
        }

        private StringArray Strings => (StringArray)Array;

        protected override Refusal? CheckValue(int row)
        {
            var bytes = Strings.GetBytes(row);
            int nul = bytes.IndexOf((byte)0);
            if (nul >= 0)
            {
                return new Refusal("nul_byte",
                    $"text with a NUL byte (\\0, at byte {nul + 1}) cannot be stored in column {TableName.Quote(Column.Name)}: PostgreSQL text never holds U+0000");
            }
            if (_maxLength > 0 && bytes.Length > _maxLength)
            {
                int characters = 0;
                foreach (byte b in bytes)
                {
                    characters += (b & 0xC0) != 0x80 ? 1 : 0; // count the bytes that start a UTF-8 character
                }
                if (characters > _maxLength)
                {
                    return new Refusal("max_length", $"{characters} characters do not fit column {TableName.Quote(Column.Name)} ({Column.Declared})");
                }
            }
            return null;
        }

        protected override void WriteValue(NpgsqlBinaryImporter importer, int row) => importer.Write(Strings.GetString(row), _type);
    }
}
