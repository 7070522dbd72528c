using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Redis.Sink;

/// <summary>Turns a row into a stream entry's fields: the staged form is a JSON array <c>[name, value, name, value …]</c>,
/// which the commit script decodes and hands to XADD. Values are written as text (numbers invariant, dates ISO 8601).</summary>
internal static class EntryWriter
{
    public static bool CanWrite(IArrowType type) => type is StringType or Int64Type or Int32Type or DoubleType or FloatType
        or BooleanType or Date32Type or TimestampType;

    public static byte[] Staged(RecordBatch data, int row, string idField, string origin)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (int c = 0; c < data.ColumnCount; c++)
            {
                if (Text(data.Column(c), row) is { } value)
                {
                    json.WriteStringValue(data.Schema.GetFieldByIndex(c).Name);
                    json.WriteStringValue(value);
                }
            }
            json.WriteStringValue(idField);
            json.WriteStringValue(origin);
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static string? Text(IArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            return null;
        }
        return column switch
        {
            StringArray s => s.GetString(row),
            Int64Array l => l.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            Int32Array i => i.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
            DoubleArray d => d.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
            FloatArray f => f.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
            BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
            Date32Array d => d.GetDateOnly(row)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimestampArray t => t.GetTimestamp(row)!.Value.ToString("O", CultureInfo.InvariantCulture),
            _ => throw new NotSupportedException($"Arrow type {column.Data.DataType.Name}"),
        };
    }
}
