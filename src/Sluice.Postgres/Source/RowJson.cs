using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Npgsql;

namespace Sluice.Postgres.Source;

/// <summary>
/// A row as its dead letter keeps it: a JSON object of column → value, in the source's column order. Numbers and
/// booleans are JSON numbers and booleans (decimals with their scale, exactly), text is a string, dates are
/// <c>yyyy-MM-dd</c>, timestamps <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, and what Sluice cannot hold (<c>NaN</c>,
/// <c>infinity</c>) is the server's word for it as a string. <see cref="Parse"/> reads it back into the same values,
/// which is how <c>sluice dlq replay</c> re-reads a letter.
/// </summary>
internal static class RowJson
{
    /// <summary>The current row of <paramref name="reader"/> (one that could not be read into a page).</summary>
    public static byte[] FromReader(NpgsqlDataReader reader, IReadOnlyList<SourceColumn> columns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (int c = 0; c < columns.Count; c++)
            {
                json.WritePropertyName(columns[c].Name);
                if (reader.IsDBNull(c))
                {
                    json.WriteNullValue();
                    continue;
                }
                switch (columns[c].Kind)
                {
                    case ValueKind.Bool: json.WriteBooleanValue(reader.GetBoolean(c)); break;
                    case ValueKind.Integer: json.WriteNumberValue(reader.GetFieldValue<long>(c)); break;
                    case ValueKind.Float: WriteDouble(json, reader.GetDouble(c)); break;
                    case ValueKind.Decimal:
                        if (Values.TryReadDecimal(reader, c, out decimal value))
                        {
                            json.WriteNumberValue(value);
                        }
                        else
                        {
                            json.WriteStringValue("NaN");
                        }
                        break;
                    case ValueKind.Date: json.WriteStringValue(Values.DateText(reader.GetFieldValue<int>(c))); break;
                    case ValueKind.Timestamp: json.WriteStringValue(Values.TimestampText(reader.GetFieldValue<long>(c))); break;
                    default: json.WriteStringValue(reader.GetString(c)); break;
                }
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Row <paramref name="row"/> of a page the source emitted.</summary>
    public static byte[] FromBatch(RecordBatch data, IReadOnlyList<SourceColumn> columns, int row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (int c = 0; c < columns.Count; c++)
            {
                json.WritePropertyName(columns[c].Name);
                var array = data.Column(c);
                if (array.IsNull(row))
                {
                    json.WriteNullValue();
                    continue;
                }
                switch (array)
                {
                    case BooleanArray b: json.WriteBooleanValue(b.GetValue(row)!.Value); break;
                    case Int64Array l: json.WriteNumberValue(l.Values[row]); break;
                    case DoubleArray d: WriteDouble(json, d.Values[row]); break;
                    case Decimal128Array m: json.WriteNumberValue(m.GetValue(row)!.Value); break;
                    case Date32Array d: json.WriteStringValue(Values.FormatDays(d.Values[row])); break;
                    case TimestampArray t: json.WriteStringValue(Values.FormatMicros(t.Values[row])); break;
                    case StringArray s: json.WriteStringValue(s.GetString(row)); break;
                    default: throw new InvalidOperationException($"no JSON for column {columns[c].Name} of {array.Data.DataType.Name}");
                }
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a letter's object into a started row of <paramref name="page"/>; null when every value fit, else
    /// why not. A column the object does not have is null.</summary>
    public static Misfit? Parse(ReadOnlySpan<byte> bytes, IReadOnlyList<SourceColumn> columns, PageColumns page)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray());
        }
        catch (JsonException)
        {
            return new Misfit("", "not_a_row", "the dead letter's bytes are not a row as a JSON object (column → value)");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new Misfit("", "not_a_row", "the dead letter's bytes are not a row as a JSON object (column → value)");
            }
            for (int c = 0; c < columns.Count; c++)
            {
                var column = columns[c];
                if (!document.RootElement.TryGetProperty(column.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                if (!Set(page, c, column, value))
                {
                    return new Misfit(column.Name, "type", $"{column.Name}: {Shorten(value.GetRawText())} is not a {column.SluiceType} the source can read");
                }
            }
        }
        return null;
    }

    private static bool Set(PageColumns page, int c, SourceColumn column, JsonElement value)
    {
        switch (column.Kind)
        {
            case ValueKind.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                page.SetBool(c, value.GetBoolean());
                return true;
            case ValueKind.Integer when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long l):
                page.SetLong(c, l);
                return true;
            case ValueKind.Float when value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d):
                page.SetDouble(c, d);
                return true;
            case ValueKind.Float when value.ValueKind == JsonValueKind.String
                && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double special) && !double.IsFinite(special):
                page.SetDouble(c, special);
                return true;
            case ValueKind.Decimal when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out decimal m)
                && Values.TryUnscaled(m, column.Scale) is { } unscaled && Int128.Abs(unscaled) < Values.DecimalLimit:
                page.SetDecimal(c, unscaled);
                return true;
            case ValueKind.Date when value.ValueKind == JsonValueKind.String && Values.ParseDays(value.GetString()!) is { } days:
                page.SetInt(c, days);
                return true;
            case ValueKind.Timestamp when value.ValueKind == JsonValueKind.String && Values.ParseMicros(value.GetString()!) is { } micros:
                page.SetLong(c, micros);
                return true;
            case ValueKind.Text or ValueKind.AsText when value.ValueKind == JsonValueKind.String:
                page.SetText(c, value.GetString()!);
                return true;
            default:
                return false;
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture)); // NaN, Infinity, -Infinity
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
