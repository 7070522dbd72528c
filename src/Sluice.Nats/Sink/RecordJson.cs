using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Nats.Sink;

/// <summary>A row as the JSON object a message carries, written as the <c>jsonl</c> sink writes a line: numbers and
/// booleans as JSON values, a date as <c>yyyy-MM-dd</c>, a timestamp as ISO 8601 in UTC, a null (and a float that is
/// NaN or infinite) as null. The <c>nats_jetstream</c> source reads such a payload back.</summary>
internal static class RecordJson
{
    public static bool CanWrite(IArrowType type) => type is StringType or Int64Type or Int32Type or DoubleType or FloatType
        or BooleanType or Date32Type or TimestampType or Decimal128Type;

    public static void Write(Utf8JsonWriter json, RecordBatch data, int row)
    {
        json.WriteStartObject();
        for (int c = 0; c < data.ColumnCount; c++)
        {
            json.WritePropertyName(data.Schema.GetFieldByIndex(c).Name);
            Value(json, data.Column(c), row);
        }
        json.WriteEndObject();
    }

    private static void Value(Utf8JsonWriter json, IArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            json.WriteNullValue();
            return;
        }
        switch (column)
        {
            case StringArray s: json.WriteStringValue(s.GetBytes(row)); break;
            case Int64Array l: json.WriteNumberValue(l.Values[row]); break;
            case Int32Array i: json.WriteNumberValue(i.Values[row]); break;
            case DoubleArray d when double.IsFinite(d.Values[row]): json.WriteNumberValue(d.Values[row]); break;
            case FloatArray f when float.IsFinite(f.Values[row]): json.WriteNumberValue(f.Values[row]); break;
            case DoubleArray or FloatArray: json.WriteNullValue(); break; // JSON has no NaN or infinity
            case BooleanArray b: json.WriteBooleanValue(b.GetValue(row) == true); break;
            case Decimal128Array m: json.WriteNumberValue(m.GetValue(row)!.Value); break;
            case Date32Array d: json.WriteStringValue(d.GetDateOnly(row)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case TimestampArray t:
                json.WriteStringValue(t.GetTimestamp(row)!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                break;
            default: throw new NotSupportedException($"Arrow type {column.Data.DataType.Name}");
        }
    }
}
