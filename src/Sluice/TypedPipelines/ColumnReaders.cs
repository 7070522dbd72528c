using System.Buffers;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Contracts;

namespace Sluice.TypedPipelines;

// The readers of each column type. Every one has Get (for a property that cannot hold null; a null throws) and
// GetNullable; the compiled record reader calls them by name (see RecordReader).

internal sealed unsafe class Int64Reader(string column, string member) : ColumnReader(column, member)
{
    public long Get(int row) => IsNull(row) ? throw NullInto() : ((long*)Values)[Index(row)];

    public long? GetNullable(int row) => IsNull(row) ? null : ((long*)Values)[Index(row)];
}

internal sealed unsafe class Float64Reader(string column, string member) : ColumnReader(column, member)
{
    public double Get(int row) => IsNull(row) ? throw NullInto() : ((double*)Values)[Index(row)];

    public double? GetNullable(int row) => IsNull(row) ? null : ((double*)Values)[Index(row)];
}

internal sealed unsafe class BoolReader(string column, string member) : ColumnReader(column, member)
{
    public bool Get(int row) => IsNull(row) ? throw NullInto() : Bit(row);

    public bool? GetNullable(int row) => IsNull(row) ? null : Bit(row);

    private bool Bit(int row)
    {
        int bit = Index(row);
        return (Values[bit >> 3] & (1 << (bit & 7))) != 0;
    }
}

internal sealed unsafe class DateReader(string column, string member) : ColumnReader(column, member)
{
    public DateOnly Get(int row) => IsNull(row) ? throw NullInto() : Date(row);

    public DateOnly? GetNullable(int row) => IsNull(row) ? null : Date(row);

    private DateOnly Date(int row) => DateOnly.FromDayNumber(TextValues.UnixEpochDayNumber + ((int*)Values)[Index(row)]);
}

/// <summary>Timestamps as UTC <see cref="DateTime"/>s, or <see cref="DateTimeOffset"/>s at offset zero.</summary>
internal sealed unsafe class TimestampReader(string column, string member) : ColumnReader(column, member)
{
    private long _ticksPerUnit;

    public DateTime Get(int row) => IsNull(row) ? throw NullInto() : Time(row);

    public DateTime? GetNullable(int row) => IsNull(row) ? null : Time(row);

    public DateTimeOffset GetOffset(int row) => IsNull(row) ? throw NullInto() : new DateTimeOffset(Time(row));

    public DateTimeOffset? GetNullableOffset(int row) => IsNull(row) ? null : new DateTimeOffset(Time(row));

    protected override void BindMore(IArrowArray array) => _ticksPerUnit = ((TimestampType)array.Data.DataType).Unit switch
    {
        TimeUnit.Second => TimeSpan.TicksPerSecond,
        TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
        TimeUnit.Microsecond => TimeSpan.TicksPerMicrosecond,
        _ => 0, // nanoseconds: divided below
    };

    private DateTime Time(int row)
    {
        long value = ((long*)Values)[Index(row)];
        long ticks = _ticksPerUnit == 0 ? value / 100 : value * _ticksPerUnit;
        return new DateTime(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc);
    }
}

/// <summary>Decimals are rare on hot paths, so this one uses Arrow's own accessor.</summary>
internal sealed class DecimalReader(string column, string member) : ColumnReader(column, member)
{
    private Decimal128Array? _array;

    public decimal Get(int row) => _array!.GetValue(row) ?? throw NullInto();

    public decimal? GetNullable(int row) => _array!.GetValue(row);

    protected override void BindMore(IArrowArray array) => _array = (Decimal128Array)array;

    public override void Release()
    {
        base.Release();
        _array = null;
    }
}

/// <summary>
/// Strings, decoded from UTF-8. Short values repeat (airport codes, countries, statuses), so a value of up to
/// <see cref="CachedLength"/> bytes is looked up in a small direct-mapped cache keyed by its bytes (packed into one
/// <see cref="ulong"/> with its length) and decoded only on a miss: a column of a few hundred distinct codes
/// allocates a few hundred strings, not one per row.
/// </summary>
internal sealed unsafe class StringReader(string column, string member) : ColumnReader(column, member)
{
    internal const int CachedLength = 7; // with the length in the top byte, the key still fits a ulong
    private const int SlotBits = 10;

    private readonly ulong[] _keys = new ulong[1 << SlotBits]; // 0 never matches: every key has a length byte
    private readonly string?[] _strings = new string?[1 << SlotBits];
    private MemoryHandle _data;
    private byte* _bytes;

    public string? Get(int row) => GetNullable(row);

    public string? GetNullable(int row)
    {
        if (IsNull(row))
        {
            return null;
        }
        int index = Index(row);
        int start = ((int*)Values)[index];
        int length = ((int*)Values)[index + 1] - start;
        byte* value = _bytes + start;
        return length is > 0 and <= CachedLength ? Cached(value, length) : System.Text.Encoding.UTF8.GetString(value, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private string Cached(byte* value, int length)
    {
        ulong key = (ulong)length << 56;
        for (int i = 0; i < length; i++)
        {
            key |= (ulong)value[i] << (8 * i);
        }
        int slot = (int)((key * 0x9E3779B97F4A7C15UL) >> (64 - SlotBits));
        if (_keys[slot] == key)
        {
            return _strings[slot]!;
        }
        string text = System.Text.Encoding.UTF8.GetString(value, length);
        _keys[slot] = key;
        _strings[slot] = text;
        return text;
    }

    protected override void BindMore(IArrowArray array)
    {
        _data = array.Data.Buffers[2].Memory.Pin();
        _bytes = (byte*)_data.Pointer;
    }

    public override void Release()
    {
        base.Release();
        _data.Dispose();
        _data = default;
        _bytes = null;
    }
}
