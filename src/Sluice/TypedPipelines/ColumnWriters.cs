using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Contracts;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>Builds one Arrow column from the values of a property, for a compiled record writer: each kind has
/// <c>Append</c> (a value) and <c>AppendNullable</c> (a value or null), called by name (see RecordWriter).</summary>
/// <remarks>Values are written straight into arrays that the built column then owns, as <see cref="StringColumnBuilder"/>
/// does, rather than through Arrow's generic builders.</remarks>
internal abstract class ColumnWriter
{
    /// <summary>The column of the values appended since the last build; the writer then starts empty.</summary>
    public abstract IArrowArray Build();
}

/// <summary>A fixed-width column of <typeparamref name="TValue"/> (int64, float64, date32, timestamp).</summary>
internal abstract class PrimitiveWriter<TValue>(IArrowType type, int capacity) : ColumnWriter where TValue : struct
{
    private TValue[] _values = new TValue[capacity];
    private byte[] _validity = new byte[(capacity + 7) / 8];
    private int _count;
    private int _nulls;

    protected void Add(TValue value)
    {
        Grow();
        _values[_count] = value;
        _validity[_count >> 3] |= (byte)(1 << (_count & 7));
        _count++;
    }

    protected void AddNull()
    {
        Grow();
        _nulls++;
        _count++;
    }

    public override IArrowArray Build()
    {
        var values = new ArrowBuffer(MemoryMarshal.AsBytes(_values.AsSpan(0, _count)).ToArray());
        var validity = _nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, (_count + 7) / 8));
        var array = ArrowArrayFactory.BuildArray(new ArrayData(type, _count, _nulls, 0, [validity, values]));
        _validity = new byte[_validity.Length];
        _count = 0;
        _nulls = 0;
        return array;
    }

    private void Grow()
    {
        if (_count == _values.Length)
        {
            System.Array.Resize(ref _values, _values.Length * 2);
            System.Array.Resize(ref _validity, (_values.Length + 7) / 8);
        }
    }
}

internal sealed class Int64Writer(int capacity) : PrimitiveWriter<long>(Int64Type.Default, capacity)
{
    public void Append(long value) => Add(value);

    public void AppendNullable(long? value)
    {
        if (value is { } v)
        {
            Add(v);
        }
        else
        {
            AddNull();
        }
    }
}

internal sealed class Float64Writer(int capacity) : PrimitiveWriter<double>(DoubleType.Default, capacity)
{
    public void Append(double value) => Add(value);

    public void AppendNullable(double? value)
    {
        if (value is { } v)
        {
            Add(v);
        }
        else
        {
            AddNull();
        }
    }
}

internal sealed class DateWriter(int capacity) : PrimitiveWriter<int>(Date32Type.Default, capacity)
{
    public void Append(DateOnly value) => Add(TextValues.DaysOf(value));

    public void AppendNullable(DateOnly? value)
    {
        if (value is { } v)
        {
            Add(TextValues.DaysOf(v));
        }
        else
        {
            AddNull();
        }
    }
}

/// <summary>Microseconds since the epoch, UTC, as the contract writes timestamps. A <see cref="DateTime"/> of kind
/// Local is converted to UTC; one of kind Unspecified is taken as UTC already, as the contract takes text without offset.</summary>
internal sealed class TimestampWriter(int capacity) : PrimitiveWriter<long>(FieldType.Timestamp.ToArrow(), capacity)
{
    public void Append(DateTime value) => Add(Micros(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value));

    public void AppendNullable(DateTime? value)
    {
        if (value is { } v)
        {
            Append(v);
        }
        else
        {
            AddNull();
        }
    }

    public void AppendOffset(DateTimeOffset value) => Add(Micros(value.UtcDateTime));

    public void AppendNullableOffset(DateTimeOffset? value)
    {
        if (value is { } v)
        {
            AppendOffset(v);
        }
        else
        {
            AddNull();
        }
    }

    private static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
}

internal sealed class BoolWriter(int capacity) : ColumnWriter
{
    private byte[] _values = new byte[(capacity + 7) / 8];
    private byte[] _validity = new byte[(capacity + 7) / 8];
    private int _count;
    private int _nulls;

    public void Append(bool value)
    {
        Grow();
        if (value)
        {
            _values[_count >> 3] |= (byte)(1 << (_count & 7));
        }
        _validity[_count >> 3] |= (byte)(1 << (_count & 7));
        _count++;
    }

    public void AppendNullable(bool? value)
    {
        if (value is { } v)
        {
            Append(v);
        }
        else
        {
            Grow();
            _nulls++;
            _count++;
        }
    }

    public override IArrowArray Build()
    {
        int bytes = (_count + 7) / 8;
        var validity = _nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, bytes));
        var array = new BooleanArray(new ArrowBuffer(_values.AsMemory(0, bytes)), validity, _count, _nulls, 0);
        _values = new byte[_values.Length];
        _validity = new byte[_validity.Length];
        _count = 0;
        _nulls = 0;
        return array;
    }

    private void Grow()
    {
        if (_count == _values.Length * 8)
        {
            System.Array.Resize(ref _values, _values.Length * 2 + 1);
            System.Array.Resize(ref _validity, _values.Length);
        }
    }
}

internal sealed class DecimalWriter(int scale) : ColumnWriter
{
    private readonly Decimal128Array.Builder _builder = new(new Decimal128Type(FieldTypes.DecimalPrecision, scale));

    public void Append(decimal value) => _builder.Append(value);

    public void AppendNullable(decimal? value)
    {
        if (value is { } v)
        {
            _builder.Append(v);
        }
        else
        {
            _builder.AppendNull();
        }
    }

    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder.Clear();
        return array;
    }
}

internal sealed class StringWriter(int capacity) : ColumnWriter
{
    private readonly StringColumnBuilder _builder = new(capacity);

    public void Append(string? value) => AppendNullable(value);

    public void AppendNullable(string? value)
    {
        if (value is null)
        {
            _builder.AppendNull();
            return;
        }
        var room = _builder.Reserve(System.Text.Encoding.UTF8.GetMaxByteCount(value.Length));
        _builder.Commit(System.Text.Encoding.UTF8.GetBytes(value, room));
    }

    public override IArrowArray Build() => _builder.Build();
}
