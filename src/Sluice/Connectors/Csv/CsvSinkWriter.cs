using System.Buffers;
using System.Globalization;
using System.Text;
using Apache.Arrow;
using Sluice.Connectors.Files;
using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>One CSV part file. Values are formatted straight into one reused buffer (strings as the UTF-8 bytes the
/// Arrow column already holds), which is copied to the file every 64 KiB.</summary>
internal sealed class CsvSinkWriter : PartFileWriter
{
    private const int FlushThreshold = 1 << 16;
    private const byte Quote = (byte)'"';

    private static ReadOnlySpan<byte> True => "true"u8;
    private static ReadOnlySpan<byte> False => "false"u8;

    private readonly Stream _stream;
    private readonly FieldType[] _types;
    private readonly IArrowArray[] _columns;
    private readonly byte _delimiter;
    private readonly SearchValues<byte> _needsQuotes;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);

    public CsvSinkWriter(Stream stream, Schema schema, FieldType[] types, byte delimiter, bool header)
    {
        _stream = stream;
        _types = types;
        _columns = new IArrowArray[types.Length];
        _delimiter = delimiter;
        _needsQuotes = SearchValues.Create([Quote, (byte)'\r', (byte)'\n', delimiter]);
        if (header)
        {
            for (int c = 0; c < types.Length; c++)
            {
                if (c > 0)
                {
                    Append(_delimiter);
                }
                WriteText(Encoding.UTF8.GetBytes(schema.FieldsList[c].Name));
            }
            Append((byte)'\n');
        }
    }

    public override void Write(RecordBatch batch, int offset, int length)
    {
        for (int c = 0; c < _columns.Length; c++)
        {
            _columns[c] = batch.Column(c);
        }
        for (int row = offset; row < offset + length; row++)
        {
            for (int c = 0; c < _columns.Length; c++)
            {
                if (c > 0)
                {
                    Append(_delimiter);
                }
                if (!_columns[c].IsNull(row))
                {
                    WriteValue(_columns[c], _types[c], row);
                }
            }
            Append((byte)'\n');
            if (_buffer.WrittenCount >= FlushThreshold)
            {
                Drain();
            }
        }
    }

    public override void Finish() => Drain();

    private void WriteValue(IArrowArray column, FieldType type, int row)
    {
        // 64 bytes hold any formatted number, date or timestamp (a decimal needs at most 31).
        const int NumberSpace = 64;
        var invariant = CultureInfo.InvariantCulture;
        int written;
        switch (type)
        {
            case FieldType.Bool:
                var text = ((BooleanArray)column).GetValue(row) == true ? True : False;
                text.CopyTo(_buffer.GetSpan(text.Length));
                written = text.Length;
                break;
            case FieldType.Int64:
                ((Int64Array)column).Values[row].TryFormat(_buffer.GetSpan(NumberSpace), out written, default, invariant);
                break;
            case FieldType.Float64:
                ((DoubleArray)column).Values[row].TryFormat(_buffer.GetSpan(NumberSpace), out written, default, invariant);
                break;
            case FieldType.Decimal:
                ((Decimal128Array)column).GetValue(row)!.Value.TryFormat(_buffer.GetSpan(NumberSpace), out written, default, invariant);
                break;
            case FieldType.String:
                WriteText(((StringArray)column).GetBytes(row));
                return;
            case FieldType.Date:
                written = PartFileText.FormatDate(((Date32Array)column).Values[row], _buffer.GetSpan(NumberSpace));
                break;
            case FieldType.Timestamp:
                written = PartFileText.FormatTimestamp(((TimestampArray)column).Values[row], _buffer.GetSpan(NumberSpace));
                break;
            default:
                throw new InvalidOperationException($"no CSV encoding for {type}");
        }
        _buffer.Advance(written);
    }

    /// <summary>Writes UTF-8 text, quoted only when it must be; an empty string is quoted so it differs from null.</summary>
    private void WriteText(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 0 && !utf8.ContainsAny(_needsQuotes))
        {
            utf8.CopyTo(_buffer.GetSpan(utf8.Length));
            _buffer.Advance(utf8.Length);
            return;
        }
        var destination = _buffer.GetSpan(utf8.Length * 2 + 2);
        int n = 0;
        destination[n++] = Quote;
        while (true)
        {
            int quote = utf8.IndexOf(Quote);
            var run = quote < 0 ? utf8 : utf8[..(quote + 1)];
            run.CopyTo(destination[n..]);
            n += run.Length;
            if (quote < 0)
            {
                break;
            }
            destination[n++] = Quote; // the doubled quote
            utf8 = utf8[(quote + 1)..];
        }
        destination[n++] = Quote;
        _buffer.Advance(n);
    }

    private void Append(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }

    private void Drain()
    {
        _stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
