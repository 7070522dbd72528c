using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Apache.Arrow;
using Sluice.Connectors.Files;
using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>One JSON Lines part file. One <see cref="Utf8JsonWriter"/> and one buffer serve every row: values go
/// from Arrow buffers (UTF-8 strings included) straight into the buffer, which is copied to the file every 64 KiB.</summary>
internal sealed class JsonlSinkWriter : PartFileWriter
{
    private const int FlushThreshold = 1 << 16;

    private readonly Stream _stream;
    private readonly FieldType[] _types;
    private readonly JsonEncodedText[] _names;
    private readonly IArrowArray[] _columns;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter _json;

    public JsonlSinkWriter(Stream stream, Schema schema, FieldType[] types)
    {
        // Relaxed escaping keeps non-ASCII text as UTF-8 instead of \uXXXX; the HTML-safety it gives up does not
        // matter for data files. Quotes, backslashes and control characters are still escaped.
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        _stream = stream;
        _types = types;
        _names = schema.FieldsList.Select(f => JsonEncodedText.Encode(f.Name, encoder)).ToArray();
        _columns = new IArrowArray[types.Length];
        // Objects are well-formed by construction, so the writer need not track structure to check it.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = encoder, SkipValidation = true });
    }

    public override void Write(RecordBatch batch, int offset, int length)
    {
        for (int c = 0; c < _columns.Length; c++)
        {
            _columns[c] = batch.Column(c);
        }
        Span<byte> scratch = stackalloc byte[PartFileText.MaxTemporalLength];
        for (int row = offset; row < offset + length; row++)
        {
            _json.WriteStartObject();
            for (int c = 0; c < _columns.Length; c++)
            {
                _json.WritePropertyName(_names[c]);
                WriteValue(_columns[c], _types[c], row, scratch);
            }
            _json.WriteEndObject();
            // A writer refuses (or comma-separates) a second top-level value, so each line starts from a reset writer.
            _json.Flush();
            _json.Reset();
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
            if (_buffer.WrittenCount >= FlushThreshold)
            {
                Drain();
            }
        }
    }

    public override void Finish() => Drain();

    public override void Dispose() => _json.Dispose();

    private void WriteValue(IArrowArray column, FieldType type, int row, Span<byte> scratch)
    {
        if (column.IsNull(row))
        {
            _json.WriteNullValue();
            return;
        }
        switch (type)
        {
            case FieldType.Bool:
                _json.WriteBooleanValue(((BooleanArray)column).GetValue(row) == true);
                break;
            case FieldType.Int64:
                _json.WriteNumberValue(((Int64Array)column).Values[row]);
                break;
            case FieldType.Float64:
                double d = ((DoubleArray)column).Values[row];
                if (double.IsFinite(d))
                {
                    _json.WriteNumberValue(d);
                }
                else
                {
                    // JSON has no NaN or infinity; a string would turn the column into text for every typed reader.
                    _json.WriteNullValue();
                }
                break;
            case FieldType.Decimal:
                _json.WriteNumberValue(((Decimal128Array)column).GetValue(row)!.Value);
                break;
            case FieldType.String:
                _json.WriteStringValue(((StringArray)column).GetBytes(row));
                break;
            case FieldType.Date:
                _json.WriteStringValue(scratch[..PartFileText.FormatDate(((Date32Array)column).Values[row], scratch)]);
                break;
            case FieldType.Timestamp:
                _json.WriteStringValue(scratch[..PartFileText.FormatTimestamp(((TimestampArray)column).Values[row], scratch)]);
                break;
        }
    }

    private void Drain()
    {
        _stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
