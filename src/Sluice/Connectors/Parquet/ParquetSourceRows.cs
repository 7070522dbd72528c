using System.Buffers;
using System.Text.Json;
using Apache.Arrow;
using Sluice.Records;

namespace Sluice.Connectors.Parquet;

/// <summary>
/// The rows behind one Parquet batch. A Parquet row has no bytes of its own, so its original bytes are the row
/// as a compact JSON object, rendered from the batch only when asked (that is, for a dead letter).
/// </summary>
internal sealed class ParquetSourceRows : IOriginalRows
{
    private readonly RecordBatch _data;
    private readonly long _firstRow;

    /// <param name="firstRow">1-based row number in the file of the batch's first row.</param>
    public ParquetSourceRows(string file, RecordBatch data, long firstRow)
    {
        Input = file;
        _data = data;
        _firstRow = firstRow;
    }

    public string Input { get; }

    public int Count => _data.Length;

    public string Position(int index) => (_firstRow + Check(index)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ReadOnlyMemory<byte> Bytes(int index)
    {
        Check(index);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            for (int c = 0; c < _data.ColumnCount; c++)
            {
                writer.WritePropertyName(_data.Schema.FieldsList[c].Name);
                WriteValue(writer, _data.Column(c), index);
            }
            writer.WriteEndObject();
        }
        return output.WrittenMemory;
    }

    private static void WriteValue(Utf8JsonWriter writer, IArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            writer.WriteNullValue();
            return;
        }
        switch (column)
        {
            case BooleanArray a: writer.WriteBooleanValue(a.GetValue(row)!.Value); break;
            case Int64Array a: writer.WriteNumberValue(a.GetValue(row)!.Value); break;
            case DoubleArray a when double.IsFinite(a.GetValue(row)!.Value): writer.WriteNumberValue(a.GetValue(row)!.Value); break;
            case DoubleArray a: writer.WriteStringValue(a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case Decimal128Array a: writer.WriteNumberValue(a.GetValue(row)!.Value); break;
            case StringArray a: writer.WriteStringValue(a.GetBytes(row)); break;
            case Date32Array a: writer.WriteStringValue(a.GetDateOnly(row)!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)); break;
            case TimestampArray a: writer.WriteStringValue(a.GetTimestamp(row)!.Value); break;
            default: throw new InvalidOperationException($"a Parquet source emitted a column of type {column.Data.DataType.Name}");
        }
    }

    private int Check(int index) => (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index));
}
