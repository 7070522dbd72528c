using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Postgres.Source;

/// <summary>
/// The columns of one page being read: plain arrays that grow, then are wrapped as Arrow arrays without copying.
/// A row is set value by value between <see cref="StartRow"/> and <see cref="EndRow"/>; a row that is not ended (one
/// of its values could not be read: a dead letter) is overwritten by the next, so it leaves nothing behind.
/// </summary>
internal sealed class PageColumns
{
    private readonly IReadOnlyList<SourceColumn> _columns;
    private readonly long[]?[] _longs;     // Integer, Timestamp
    private readonly double[]?[] _doubles; // Float
    private readonly int[]?[] _ints;       // Date
    private readonly Int128[]?[] _decimals;
    private readonly bool[]?[] _bools;
    private readonly Utf8Buffer?[] _texts;
    private readonly bool[][] _valid;
    private int _capacity;

    public PageColumns(IReadOnlyList<SourceColumn> columns, int capacity)
    {
        _columns = columns;
        _capacity = Math.Max(capacity, 1);
        int n = columns.Count;
        (_longs, _doubles, _ints, _decimals, _bools, _texts, _valid) =
            (new long[]?[n], new double[]?[n], new int[]?[n], new Int128[]?[n], new bool[]?[n], new Utf8Buffer?[n], new bool[n][]);
        for (int c = 0; c < n; c++)
        {
            _valid[c] = new bool[_capacity];
            switch (columns[c].Kind)
            {
                case ValueKind.Integer or ValueKind.Timestamp: _longs[c] = new long[_capacity]; break;
                case ValueKind.Float: _doubles[c] = new double[_capacity]; break;
                case ValueKind.Date: _ints[c] = new int[_capacity]; break;
                case ValueKind.Decimal: _decimals[c] = new Int128[_capacity]; break;
                case ValueKind.Bool: _bools[c] = new bool[_capacity]; break;
                default: _texts[c] = new Utf8Buffer(_capacity); break;
            }
        }
    }

    /// <summary>Rows appended so far (the row being appended not included).</summary>
    public int Count { get; private set; }

    /// <summary>Makes room for one more row; its values start null.</summary>
    public void StartRow()
    {
        if (Count == _capacity)
        {
            Grow();
        }
        for (int c = 0; c < _columns.Count; c++)
        {
            _valid[c][Count] = false;
            _texts[c]?.Start(Count);
        }
    }

    /// <summary>Keeps the row started last.</summary>
    public void EndRow() => Count++;

    public void SetLong(int column, long value) => Set(column, _longs[column]!, value);

    public void SetDouble(int column, double value) => Set(column, _doubles[column]!, value);

    public void SetInt(int column, int value) => Set(column, _ints[column]!, value);

    public void SetDecimal(int column, Int128 unscaled) => Set(column, _decimals[column]!, unscaled);

    public void SetBool(int column, bool value) => Set(column, _bools[column]!, value);

    public void SetText(int column, string value)
    {
        _texts[column]!.Set(Count, value);
        _valid[column][Count] = true;
    }

    private void Set<T>(int column, T[] values, T value)
    {
        values[Count] = value;
        _valid[column][Count] = true;
    }

    private void Grow()
    {
        int capacity = _capacity * 2;
        for (int c = 0; c < _columns.Count; c++)
        {
            System.Array.Resize(ref _valid[c], capacity);
            if (_longs[c] is not null) System.Array.Resize(ref _longs[c], capacity);
            if (_doubles[c] is not null) System.Array.Resize(ref _doubles[c], capacity);
            if (_ints[c] is not null) System.Array.Resize(ref _ints[c], capacity);
            if (_decimals[c] is not null) System.Array.Resize(ref _decimals[c], capacity);
            if (_bools[c] is not null) System.Array.Resize(ref _bools[c], capacity);
            _texts[c]?.Grow(capacity);
        }
        _capacity = capacity;
    }

    /// <summary>The rows appended, as a record batch of <paramref name="schema"/>.</summary>
    public RecordBatch Build(Schema schema)
    {
        var arrays = new IArrowArray[_columns.Count];
        for (int c = 0; c < arrays.Length; c++)
        {
            var type = schema.GetFieldByIndex(c).DataType;
            var (validity, nulls) = Validity(_valid[c], Count);
            ArrowBuffer[] buffers = _columns[c].Kind switch
            {
                ValueKind.Integer or ValueKind.Timestamp => [validity, Values(_longs[c]!)],
                ValueKind.Float => [validity, Values(_doubles[c]!)],
                ValueKind.Date => [validity, Values(_ints[c]!)],
                ValueKind.Decimal => [validity, Values(_decimals[c]!)],
                ValueKind.Bool => [validity, Validity(_bools[c]!, Count).Bits],
                _ => [validity, .. _texts[c]!.Buffers(Count)],
            };
            arrays[c] = ArrowArrayFactory.BuildArray(new ArrayData(type, Count, nulls, 0, buffers));
        }
        return new RecordBatch(schema, arrays, Count);
    }

    private ArrowBuffer Values<T>(T[] values) where T : struct =>
        new(MemoryMarshal.AsBytes(values.AsSpan(0, Count)).ToArray());

    private static (ArrowBuffer Bits, int Unset) Validity(bool[] flags, int count)
    {
        var bits = new byte[BitUtility.ByteCount(count)];
        int unset = 0;
        for (int i = 0; i < count; i++)
        {
            if (flags[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
            else
            {
                unset++;
            }
        }
        return (new ArrowBuffer(bits), unset);
    }

    /// <summary>A string column's UTF-8 bytes and offsets.</summary>
    private sealed class Utf8Buffer(int capacity)
    {
        private int[] _offsets = new int[capacity + 1];
        private byte[] _bytes = new byte[capacity * 16];

        public void Start(int row) => _offsets[row + 1] = _offsets[row];

        public void Set(int row, string value)
        {
            int start = _offsets[row];
            int most = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (start + most > _bytes.Length)
            {
                System.Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + most));
            }
            _offsets[row + 1] = start + Encoding.UTF8.GetBytes(value, _bytes.AsSpan(start));
        }

        public void Grow(int capacity) => System.Array.Resize(ref _offsets, capacity + 1);

        public ArrowBuffer[] Buffers(int count) =>
            [new ArrowBuffer(MemoryMarshal.AsBytes(_offsets.AsSpan(0, count + 1)).ToArray()), new ArrowBuffer(_bytes.AsSpan(0, _offsets[count]).ToArray())];
    }
}
