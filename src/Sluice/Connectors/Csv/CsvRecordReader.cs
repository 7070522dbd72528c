using System.Runtime.CompilerServices;
using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Sluice.Connectors.Csv;

/// <summary>What <see cref="CsvRecordReader.Read"/> found.</summary>
internal enum CsvReadResult
{
    /// <summary>A well-formed record: the expected number of fields, valid UTF-8.</summary>
    Record,
    /// <summary>A record that cannot be read; <see cref="CsvRecordReader.Rule"/> says why. Its bytes are the
    /// ones to dead-letter, and reading goes on after them.</summary>
    Broken,
    /// <summary>The file's bytes stop making sense here (corrupt or cut-short gzip data): the rest of the file,
    /// from <see cref="CsvRecordReader.Offset"/> on, cannot be read. <see cref="CsvRecordReader.Message"/> says why;
    /// <see cref="CsvRecordReader.Record"/> holds the bytes read of the rest. Every later read returns it again.</summary>
    Unreadable,
    End,
}

/// <summary>
/// A UTF-8, byte-level RFC 4180 record reader over one file: BOM or not, LF or CRLF, quoted fields with <c>""</c>
/// escapes and line breaks. It hands out each record as spans into its pooled buffer, with the record's file
/// offset, starting line and exact original bytes; blank lines are skipped.
/// <para>
/// Why not Sylvan.Data.Csv: a dead letter needs each record's byte offset and original bytes, a broken row must be
/// re-read from its second line (resynchronisation), and invalid UTF-8 must fail only its own record. Sylvan reads
/// chars (decoding the whole stream up front), so it can give none of these.
/// </para>
/// <para>
/// Resynchronisation: quotes are the only thing that lets a record span lines, so a record that breaks while a
/// quote made it span lines (a stray quote, most likely) costs only its first physical line, and reading resumes
/// on the next one. The same holds when a quoted field stays open past <c>max_record_bytes</c>. This is what keeps
/// one stray quote from swallowing the good rows after it. A quote inside an unquoted field is an error (RFC 4180
/// forbids it), which is also what makes the tail of a broken multi-line record fail rather than pass as data.
/// </para>
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    private readonly Stream _stream;
    private readonly byte _delimiter;
    private readonly byte _quote;
    private readonly int _maxRecordBytes;
    private readonly SearchValues<byte> _unquotedStops;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _pos;            // first byte of the current record in _buffer
    private int _end;            // end of the bytes read into _buffer
    private long _bufferOffset;  // file offset of _buffer[0]
    private long _line = 1;      // physical line at _pos
    private bool _eof;
    private bool _started;
    private string? _failure;    // why the stream broke (see CsvReadResult.Unreadable)

    // The current record. Field starts are relative to _pos; a field's content excludes its quotes.
    private int _length;         // bytes of the record without its line break
    private int _consumed;       // bytes including the line break (and anything skipped with it)
    private int _lines;          // line breaks within _consumed
    private bool _skipRestOfLine;
    private bool _final;         // the bytes being parsed are all that is left of the file
    private bool _needMoreInQuote;
    private int _fieldCount;
    private int[] _fieldStarts = new int[32];
    private int[] _fieldLengths = new int[32];
    private CsvFieldKind[] _fieldKinds = new CsvFieldKind[32];

    public CsvRecordReader(Stream stream, byte delimiter, byte quote, int maxRecordBytes)
    {
        _stream = stream;
        _delimiter = delimiter;
        _quote = quote;
        _maxRecordBytes = maxRecordBytes;
        _unquotedStops = SearchValues.Create([delimiter, quote, Lf]);
    }

    /// <param name="verify">False to peek at the header only: see <see cref="Files.TextInput.Open"/>.</param>
    /// <exception cref="Files.UnreadableFileException">The file is clearly not text the options can read.</exception>
    public static CsvRecordReader Open(string path, CsvSourceOptions options, bool verify = true) =>
        new(Files.TextInput.Open(path, options.Compression, options.Encoding, bufferSize: 0, FileOptions.SequentialScan, verify),
            (byte)options.Delimiter, (byte)options.Quote, options.MaxRecordBytes);

    /// <summary>Whether offsets are those of the file itself (a plain UTF-8 file), not of its decompressed or
    /// transcoded text.</summary>
    public bool ReadsFileBytes => _stream is FileStream;

    /// <summary>Fields a record must have; -1 accepts any number (for the header).</summary>
    public int ExpectedFields { get; set; } = -1;

    /// <summary>1-based physical line the current record starts on.</summary>
    public long Line { get; private set; }

    /// <summary>File offset of the current record's first byte.</summary>
    public long Offset => _bufferOffset + _pos;

    /// <summary>File offset just past the current record and its line break.</summary>
    public long EndOffset => _bufferOffset + _pos + _consumed;

    /// <summary>The current record's original bytes, without its line break. Valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<byte> Record => _buffer.AsSpan(_pos, _length);

    public int FieldCount => _fieldCount;

    /// <summary>Why the current record is broken: <c>field_count</c>, <c>bad_quote</c>, <c>unterminated_quote</c>,
    /// <c>utf8</c> or <c>max_record_bytes</c>.</summary>
    public string? Rule { get; private set; }

    public string Message { get; private set; } = "";

    /// <summary>0-based field the current broken record fails in, or -1 when the fault is not in one field.</summary>
    public int BrokenField { get; private set; }

    /// <summary>The content of field <paramref name="index"/> of the current record, still escaped when its kind
    /// is <see cref="CsvFieldKind.QuotedEscaped"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public ReadOnlySpan<byte> Field(int index, out CsvFieldKind kind)
    {
        kind = _fieldKinds[index];
        return _buffer.AsSpan(_pos + _fieldStarts[index], _fieldLengths[index]);
    }

    /// <summary>Field <paramref name="index"/> as a string (allocates; for headers).</summary>
    public string FieldString(int index)
    {
        var content = Field(index, out var kind);
        if (kind != CsvFieldKind.QuotedEscaped)
        {
            return Encoding.UTF8.GetString(content);
        }
        var unescaped = new byte[content.Length];
        return Encoding.UTF8.GetString(unescaped, 0, Unescape(content, _quote, unescaped));
    }

    /// <summary>Copies quoted content to <paramref name="destination"/> with each doubled quote made single.</summary>
    public static int Unescape(ReadOnlySpan<byte> content, byte quote, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int q = content.IndexOf(quote);
            if (q < 0)
            {
                content.CopyTo(destination[written..]);
                return written + content.Length;
            }
            content[..(q + 1)].CopyTo(destination[written..]);
            written += q + 1;
            content = content[(q + 2)..]; // the parser only accepts quotes in pairs here
        }
    }

    /// <summary>Moves to the next record, skipping blank lines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    public CsvReadResult Read()
    {
        Consume();
        if (!_started)
        {
            SkipBom();
        }
        while (true)
        {
            if (_failure is not null)
            {
                return Unreadable();
            }
            var data = _buffer.AsSpan(_pos, _end - _pos);
            if (data.IsEmpty && _eof)
            {
                _length = 0;
                return CsvReadResult.End;
            }
            Line = _line;
            // Looking no further than one record's worth of bytes makes the limit exact wherever buffers end.
            int window = _maxRecordBytes + 2; // room for a CRLF after a record of exactly the limit
            var view = data.Length > window ? data[..window] : data;
            _final = _eof && view.Length == data.Length;
            _needMoreInQuote = false;
            var status = Parse(view);
            if (status == Status.NeedMore)
            {
                if (data.Length >= window)
                {
                    return OverLimit(data);
                }
                Fill();
                continue;
            }
            if (status == Status.Blank)
            {
                Consume();
                continue;
            }
            return status == Status.Record ? CsvReadResult.Record : CsvReadResult.Broken;
        }
    }

    /// <summary>Moves past the current record (and the rest of its line when it was cut at
    /// <c>max_record_bytes</c>): where the next record's search starts, and the line it starts on. The current
    /// record's bytes are no longer valid after this.</summary>
    public (long Offset, long Line) MovePast()
    {
        Consume();
        return (_bufferOffset + _pos, _line);
    }

    /// <summary>Continues reading at <paramref name="offset"/>, a place <see cref="MovePast"/> reported, as line
    /// <paramref name="line"/>; no BOM is looked for there. A stream that cannot seek (decompressed or transcoded
    /// text) is read forward to it. False when the text ends before it.</summary>
    public bool Seek(long offset, long line)
    {
        if (_stream.CanSeek)
        {
            _stream.Position = offset;
            _bufferOffset = offset;
            _pos = 0;
            _end = 0;
            _eof = false;
        }
        else if (offset >= _bufferOffset && offset <= _bufferOffset + _end)
        {
            _pos = (int)(offset - _bufferOffset); // already read into the buffer (with the header)
        }
        else
        {
            try
            {
                if (offset < _bufferOffset || !Files.TextInput.Skip(_stream, offset - (_bufferOffset + _end)))
                {
                    return false;
                }
            }
            catch (InvalidDataException)
            {
                return false; // it breaks before the position: it changed
            }
            _bufferOffset = offset;
            _pos = 0;
            _end = 0;
        }
        _started = true;
        _line = line;
        _consumed = 0;
        _lines = 0;
        _length = 0;
        _skipRestOfLine = false;
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private enum Status
    {
        Record,
        Broken,
        Blank,
        NeedMore,
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private Status Parse(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return Status.NeedMore; // the caller has handled the end of the file
        }
        if (data[0] == Lf || data[0] == Cr)
        {
            if (data[0] == Lf || (data.Length > 1 && data[1] == Lf))
            {
                return Blank(data[0] == Lf ? 1 : 2, lines: 1);
            }
            if (data.Length == 1)
            {
                return _final ? Blank(1, lines: 0) : Status.NeedMore;
            }
        }

        _fieldCount = 0;
        bool quoted = false;
        int i = 0;
        while (true)
        {
            if (i < data.Length && data[i] == _quote)
            {
                quoted = true;
                int start = i + 1;
                int j = start;
                var kind = CsvFieldKind.Quoted;
                while (true)
                {
                    int k = data[j..].IndexOf(_quote);
                    if (k < 0)
                    {
                        _needMoreInQuote = true;
                        return _final
                            ? FirstLine(data, "unterminated_quote", _fieldCount,
                                $"the quote opening field {_fieldCount + 1} is never closed; a quote inside a field must be doubled (\"\")")
                            : Status.NeedMore;
                    }
                    j += k;
                    if (j + 1 == data.Length)
                    {
                        if (!_final)
                        {
                            _needMoreInQuote = true; // the next byte may be the quote's escape pair
                            return Status.NeedMore;
                        }
                        AddField(start, j - start, kind);
                        return Complete(data, j + 1, j + 1, quoted);
                    }
                    byte next = data[j + 1];
                    if (next == _quote)
                    {
                        kind = CsvFieldKind.QuotedEscaped;
                        j += 2;
                        continue;
                    }
                    if (next == _delimiter)
                    {
                        AddField(start, j - start, kind);
                        i = j + 2;
                        break;
                    }
                    if (next == Lf)
                    {
                        AddField(start, j - start, kind);
                        return Complete(data, j + 1, j + 2, quoted);
                    }
                    if (next == Cr && (j + 2 == data.Length || data[j + 2] == Lf))
                    {
                        if (j + 2 == data.Length && !_final)
                        {
                            return Status.NeedMore;
                        }
                        AddField(start, j - start, kind);
                        return Complete(data, j + 1, Math.Min(j + 3, data.Length), quoted);
                    }
                    return FirstLine(data, "bad_quote", _fieldCount,
                        $"{Describe(next)} after the closing quote of field {_fieldCount + 1}; a quote inside a field must be doubled (\"\")");
                }
            }
            else
            {
                int k = data[i..].IndexOfAny(_unquotedStops);
                if (k < 0)
                {
                    if (!_final)
                    {
                        return Status.NeedMore;
                    }
                    int end = data.Length > i && data[^1] == Cr ? data.Length - 1 : data.Length;
                    AddField(i, end - i, CsvFieldKind.Unquoted);
                    return Complete(data, end, data.Length, quoted);
                }
                int at = i + k;
                byte stop = data[at];
                if (stop == _delimiter)
                {
                    AddField(i, k, CsvFieldKind.Unquoted);
                    i = at + 1;
                }
                else if (stop == Lf)
                {
                    int end = at > i && data[at - 1] == Cr ? at - 1 : at;
                    AddField(i, end - i, CsvFieldKind.Unquoted);
                    return Complete(data, end, at + 1, quoted);
                }
                else
                {
                    return FirstLine(data, "bad_quote", _fieldCount,
                        $"quote inside unquoted field {_fieldCount + 1}; quote the whole field and double the quote (\"a\"\"b\")");
                }
            }
        }
    }

    /// <summary>The bytes from the current place on are the unreadable rest of the file.</summary>
    private CsvReadResult Unreadable()
    {
        Line = _line;
        _length = _end - _pos;
        _consumed = 0;
        _lines = 0;
        Rule = Sluice.DeadLetters.FileLetters.UnreadableFile;
        BrokenField = -1;
        Message = _failure!;
        return CsvReadResult.Unreadable;
    }

    private Status Blank(int consumed, int lines)
    {
        _consumed = consumed;
        _lines = lines;
        return Status.Blank;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private void AddField(int start, int length, CsvFieldKind kind)
    {
        if (_fieldCount == _fieldStarts.Length)
        {
            Array.Resize(ref _fieldStarts, _fieldCount * 2);
            Array.Resize(ref _fieldLengths, _fieldCount * 2);
            Array.Resize(ref _fieldKinds, _fieldCount * 2);
        }
        _fieldStarts[_fieldCount] = start;
        _fieldLengths[_fieldCount] = length;
        _fieldKinds[_fieldCount] = kind;
        _fieldCount++;
    }

    /// <summary>A record parsed to its end: checks it is whole and valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private Status Complete(ReadOnlySpan<byte> data, int length, int consumed, bool quoted)
    {
        int innerLines = quoted ? data[..length].Count(Lf) : 0;
        if (ExpectedFields >= 0 && _fieldCount != ExpectedFields)
        {
            string message = $"expected {ExpectedFields} fields, found {_fieldCount}";
            if (innerLines > 0)
            {
                return FirstLine(data, "field_count", -1, message); // a stray quote joined lines: resync at line 2
            }
            return Broken(length, consumed, innerLines, consumed > length && data[consumed - 1] == Lf, "field_count", -1, message);
        }
        var record = data[..length];
        if (!Utf8.IsValid(record))
        {
            int bad = FirstInvalidUtf8(record);
            int field = 0;
            while (field + 1 < _fieldCount && _fieldStarts[field + 1] <= bad)
            {
                field++;
            }
            return Broken(length, consumed, innerLines, consumed > length && data[consumed - 1] == Lf, "utf8", field,
                $"invalid UTF-8 at byte {bad} of the record (field {field + 1})");
        }
        _length = length;
        _consumed = consumed;
        _lines = innerLines + (consumed > length && data[consumed - 1] == Lf ? 1 : 0);
        return Status.Record;
    }

    /// <summary>A broken record that costs only its first physical line: reading resumes on the next one.</summary>
    private Status FirstLine(ReadOnlySpan<byte> data, string rule, int field, string message)
    {
        int lf = data.IndexOf(Lf);
        if (lf < 0)
        {
            if (!_final)
            {
                return Status.NeedMore;
            }
            int end = data[^1] == Cr ? data.Length - 1 : data.Length;
            return Broken(end, data.Length, 0, false, rule, field, message);
        }
        int length = lf > 0 && data[lf - 1] == Cr ? lf - 1 : lf;
        return Broken(length, lf + 1, 0, true, rule, field, message);
    }

    /// <summary>No record ends within the limit: dead-letter the first line, or the limit's worth of it when the
    /// line itself is longer (the rest of that line is then skipped).</summary>
    private CsvReadResult OverLimit(ReadOnlySpan<byte> data)
    {
        int lf = data[..(_maxRecordBytes + 1)].IndexOf(Lf);
        if (lf >= 0)
        {
            string rule = _needMoreInQuote ? "unterminated_quote" : "max_record_bytes";
            string message = _needMoreInQuote
                ? $"a quoted field is still open after max_record_bytes ({_maxRecordBytes}) bytes; a quote inside a field must be doubled (\"\"), or raise max_record_bytes"
                : $"the record is longer than max_record_bytes ({_maxRecordBytes}); raise max_record_bytes";
            int length = lf > 0 && data[lf - 1] == Cr ? lf - 1 : lf;
            Broken(length, lf + 1, 0, true, rule, -1, message);
            return CsvReadResult.Broken;
        }
        Broken(_maxRecordBytes, _maxRecordBytes, 0, false, "max_record_bytes", -1,
            $"the line is longer than max_record_bytes ({_maxRecordBytes}); only its first {_maxRecordBytes} bytes are kept");
        _skipRestOfLine = true;
        return CsvReadResult.Broken;
    }

    private Status Broken(int length, int consumed, int innerLines, bool endsLine, string rule, int field, string message)
    {
        _length = length;
        _consumed = consumed;
        _lines = innerLines + (endsLine ? 1 : 0);
        Rule = rule;
        BrokenField = field;
        Message = message;
        return Status.Broken;
    }

    private void Consume()
    {
        _pos += _consumed;
        _line += _lines;
        _consumed = 0;
        _lines = 0;
        Rule = null;
        while (_skipRestOfLine)
        {
            int lf = _buffer.AsSpan(_pos, _end - _pos).IndexOf(Lf);
            if (lf >= 0)
            {
                _pos += lf + 1;
                _line++;
                _skipRestOfLine = false;
            }
            else
            {
                _pos = _end;
                _skipRestOfLine = !_eof;
                if (!_eof)
                {
                    Fill();
                }
            }
        }
    }

    private void SkipBom()
    {
        _started = true;
        while (_end < 3 && !_eof)
        {
            Fill();
        }
        if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
        {
            _pos = 3;
        }
    }

    /// <summary>Keeps the current record's bytes and reads more after them.</summary>
    private void Fill()
    {
        if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
            _bufferOffset += _pos;
            _end -= _pos;
            _pos = 0;
        }
        // Grow before the record fills the buffer, so a long record is re-parsed only a few times.
        if (_end > _buffer.Length / 2 && _buffer.Length < _maxRecordBytes + 2)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        int n;
        try
        {
            n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException e)
        {
            // Only decompressed text throws this (a plain file's stream does not): the rest of the file is lost.
            _failure = e.Message;
            n = 0;
        }
        if (n == 0)
        {
            _eof = true;
        }
        _end += n;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && Rune.DecodeFromUtf8(bytes[i..], out _, out int used) == OperationStatus.Done)
        {
            i += used;
        }
        return i;
    }

    private static string Describe(byte b) =>
        b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";
}
