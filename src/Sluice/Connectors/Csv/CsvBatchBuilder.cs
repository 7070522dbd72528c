using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>
/// Collects records of one file into Arrow string columns straight from their UTF-8 bytes (no string per field),
/// and keeps their original bytes for dead letters. Each built batch takes ownership of the arrays, so the next
/// batch starts with fresh ones, sized from the last so they rarely grow.
/// </summary>
internal sealed class CsvBatchBuilder
{
    private readonly Schema _schema;
    private readonly int _capacity;
    private readonly Column[] _columns;
    private byte[] _raw = [];
    private int _rawLength;
    private int[] _rawStarts = [];
    private long[] _lines = [];
    private long[] _offsets = [];
    private int _rawHint = 1 << 16;

    public CsvBatchBuilder(Schema schema, int capacity)
    {
        _schema = schema;
        _capacity = capacity;
        _columns = new Column[schema.FieldsList.Count];
        for (int c = 0; c < _columns.Length; c++)
        {
            _columns[c] = new Column();
        }
        Reset();
    }

    public int Count { get; private set; }

    /// <summary>Appends the reader's current record, which must have one field per column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public void Append(CsvRecordReader reader, byte quote)
    {
        int row = Count;
        for (int c = 0; c < _columns.Length; c++)
        {
            var field = reader.Field(c, out var kind);
            _columns[c].Append(row, field, kind, quote);
        }

        var record = reader.Record;
        if (_rawLength + record.Length > _raw.Length)
        {
            System.Array.Resize(ref _raw, Math.Max(_raw.Length * 2, _rawLength + record.Length));
        }
        record.CopyTo(_raw.AsSpan(_rawLength));
        _rawLength += record.Length;
        _rawStarts[row + 1] = _rawLength;
        _lines[row] = reader.Line;
        _offsets[row] = reader.Offset;
        Count = row + 1;
    }

    /// <summary>The batch of the records appended since the last build (maybe none), read up to
    /// <paramref name="position"/>; the builder then starts empty.</summary>
    public Batch Build(SourcePosition position)
    {
        string file = position.File;
        var arrays = new IArrowArray[_columns.Length];
        for (int c = 0; c < _columns.Length; c++)
        {
            arrays[c] = _columns[c].Build(Count);
        }
        var origins = new RowOrigins(new CsvOriginalRows(file, _raw, _rawStarts, _lines, _offsets, Count));
        var batch = new Batch(new RecordBatch(_schema, arrays, Count), origins, position);
        _rawHint = _rawLength + _rawLength / 4 + 16;
        Reset();
        return batch;
    }

    private void Reset()
    {
        Count = 0;
        _raw = GC.AllocateUninitializedArray<byte>(_rawHint);
        _rawLength = 0;
        _rawStarts = new int[_capacity + 1];
        _lines = new long[_capacity];
        _offsets = new long[_capacity];
        foreach (var column in _columns)
        {
            column.Reset(_capacity);
        }
    }

    /// <summary>The three Arrow buffers of one string column: value offsets, UTF-8 data, validity bits.</summary>
    private sealed class Column
    {
        private byte[] _offsets = [];   // int32 per row + 1, little-endian as Arrow wants
        private byte[] _data = [];
        private byte[] _validity = [];
        private int _dataLength;
        private int _nulls;
        private int _dataHint = 1 << 12;

        public void Reset(int capacity)
        {
            _offsets = GC.AllocateUninitializedArray<byte>((capacity + 1) * sizeof(int));
            MemoryMarshal.Write(_offsets, 0);
            _data = GC.AllocateUninitializedArray<byte>(_dataHint);
            _validity = new byte[(capacity + 7) / 8];
            _dataLength = 0;
            _nulls = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
        public void Append(int row, ReadOnlySpan<byte> field, CsvFieldKind kind, byte quote)
        {
            if (kind == CsvFieldKind.Unquoted && field.IsEmpty)
            {
                _nulls++;
            }
            else
            {
                _validity[row >> 3] |= (byte)(1 << (row & 7));
                if (_dataLength + field.Length > _data.Length)
                {
                    System.Array.Resize(ref _data, Math.Max(_data.Length * 2, _dataLength + field.Length));
                }
                var destination = _data.AsSpan(_dataLength);
                if (kind == CsvFieldKind.QuotedEscaped)
                {
                    _dataLength += CsvRecordReader.Unescape(field, quote, destination);
                }
                else
                {
                    field.CopyTo(destination);
                    _dataLength += field.Length;
                }
            }
            MemoryMarshal.Write(_offsets.AsSpan((row + 1) * sizeof(int)), _dataLength);
        }

        public StringArray Build(int count)
        {
            var array = new StringArray(
                count,
                new ArrowBuffer(_offsets.AsMemory(0, (count + 1) * sizeof(int))),
                new ArrowBuffer(_data.AsMemory(0, _dataLength)),
                _nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, (count + 7) / 8)),
                _nulls);
            _dataHint = _dataLength + _dataLength / 4 + 16;
            return array;
        }
    }
}
