using Sluice.Connectors.Files;
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
    private readonly StringColumnBuilder[] _columns;
    private byte[] _raw = [];
    private int _rawLength;
    private int[] _rawStarts = [];
    private long[] _lines = [];
    private int _rawHint = 1 << 16;

    public CsvBatchBuilder(Schema schema, int capacity)
    {
        _schema = schema;
        _capacity = capacity;
        _columns = new StringColumnBuilder[schema.FieldsList.Count];
        for (int c = 0; c < _columns.Length; c++)
        {
            _columns[c] = new StringColumnBuilder(capacity);
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
            var column = _columns[c];
            if (kind == CsvFieldKind.Unquoted && field.IsEmpty)
            {
                column.AppendNull(); // an empty unquoted field is null; "" is the empty string
            }
            else if (kind == CsvFieldKind.QuotedEscaped)
            {
                column.Commit(CsvRecordReader.Unescape(field, quote, column.Reserve(field.Length)));
            }
            else
            {
                column.Append(field);
            }
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
        Count = row + 1;
    }

    /// <summary>The batch of the records appended since the last build (maybe none), read up to
    /// <paramref name="position"/>; the builder then starts empty.</summary>
    public Batch Build(FilePosition position)
    {
        string file = position.File;
        var arrays = new IArrowArray[_columns.Length];
        for (int c = 0; c < _columns.Length; c++)
        {
            arrays[c] = _columns[c].Build();
        }
        var origins = new RowOrigins(new CsvOriginalRows(file, _raw, _rawStarts, _lines, Count));
        var batch = new Batch(new RecordBatch(_schema, arrays, Count), origins, position.ToSource());
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
    }
}
