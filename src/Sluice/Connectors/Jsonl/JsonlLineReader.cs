namespace Sluice.Connectors.Jsonl;

/// <summary>
/// Splits a stream into lines without copying them one by one. The bytes live in a buffer that covers the file
/// range from <see cref="BufferOffset"/>; when it runs out, a new buffer is allocated and the bytes from the
/// retained offset on are moved into it. A buffer is never written again once lines have been handed out from it,
/// so batches may keep slices of it for their rows' original bytes.
/// </summary>
internal sealed class JsonlLineReader
{
    private const int MinChunk = 1 << 20;
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private byte[] _buffer = [];
    private int _end;          // bytes of _buffer filled
    private int _next;         // index in _buffer where the next line starts
    private long _retainFrom;  // file offset of the first byte the next buffer must still hold
    private bool _eof;
    private bool _started;

    public JsonlLineReader(Stream stream) => _stream = stream;

    /// <summary>The current buffer; <see cref="LineStart"/> indexes into it.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>File offset of <see cref="Buffer"/>[0].</summary>
    public long BufferOffset { get; private set; }

    public int LineStart { get; private set; }

    /// <summary>Length of the current line without its line break (LF or CRLF).</summary>
    public int LineLength { get; private set; }

    /// <summary>1-based number of the current line, blank lines included.</summary>
    public long LineNumber { get; private set; }

    public long LineOffset => BufferOffset + LineStart;

    /// <summary>File offset just past the current line and its line break.</summary>
    public long NextOffset => BufferOffset + _next;

    public ReadOnlySpan<byte> Line => _buffer.AsSpan(LineStart, LineLength);

    /// <summary>Why the stream broke (corrupt or cut-short gzip data), once <see cref="ReadLineAsync"/> returned false
    /// for it; null when it ended well. The lines before the break were handed out; the rest of the file, from
    /// <see cref="NextOffset"/> (line <see cref="LineNumber"/> + 1) on, cannot be read: <see cref="Rest"/> is what was
    /// read of it.</summary>
    public string? Failure { get; private set; }

    public ReadOnlySpan<byte> Rest => _buffer.AsSpan(_next, _end - _next);

    /// <summary>Starts reading at <paramref name="offset"/> (a line start) as line <paramref name="lineNumber"/>,
    /// instead of at the start of the stream; no BOM is looked for there. Only before the first line is read. A stream
    /// that cannot seek (decompressed or transcoded text) is read forward to it; false when it ends (or breaks) first.</summary>
    public bool Seek(long offset, long lineNumber)
    {
        if (_stream.CanSeek)
        {
            _stream.Position = offset;
        }
        else
        {
            try
            {
                if (!Files.TextInput.Skip(_stream, offset))
                {
                    return false;
                }
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }
        BufferOffset = offset;
        _retainFrom = offset;
        LineNumber = lineNumber - 1;
        _started = true;
        return true;
    }

    /// <summary>Bytes from this file offset on must stay in the buffer (the start of the batch being built).
    /// Until it is called again, every later line is retained too, so callers that keep nothing call it per line.</summary>
    public void RetainFrom(long offset) => _retainFrom = offset;

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_next, _end - _next).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                SetLine(_next, newline, _next + newline + 1);
                return true;
            }
            if (_eof)
            {
                if (_next == _end || Failure is not null)
                {
                    return false;
                }
                SetLine(_next, _end - _next, _end); // last line without a line break
                return true;
            }
            await FillAsync(cancellationToken);
        }
    }

    private void SetLine(int start, int length, int next)
    {
        if (length > 0 && _buffer[start + length - 1] == (byte)'\r')
        {
            length--;
        }
        LineStart = start;
        LineLength = length;
        LineNumber++;
        _next = next;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        int keep = (int)(Math.Min(_retainFrom, BufferOffset + _next) - BufferOffset);
        int kept = _end - keep;
        // A fresh buffer each time: the old one may be referenced by batches already emitted.
        var buffer = GC.AllocateUninitializedArray<byte>(Math.Max(MinChunk, kept * 2));
        _buffer.AsSpan(keep, kept).CopyTo(buffer);
        _next -= keep;
        BufferOffset += keep;
        _buffer = buffer;
        _end = kept;
        while (_end < buffer.Length)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer.AsMemory(_end), cancellationToken);
            }
            catch (InvalidDataException e)
            {
                // Only decompressed text throws this (a plain file's stream does not): the rest of the file is lost.
                Failure = e.Message;
                read = 0;
            }
            if (read == 0)
            {
                _eof = true;
                break;
            }
            _end += read;
        }
        if (!_started)
        {
            _started = true;
            if (buffer.AsSpan(0, _end).StartsWith(Bom))
            {
                _next = Bom.Length;
                _retainFrom = Bom.Length;
            }
        }
    }
}
