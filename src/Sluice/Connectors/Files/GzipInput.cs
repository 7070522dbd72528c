using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Sluice.Connectors.Files;

/// <summary>
/// A gzip file decompressed, checked against its trailer. <see cref="GZipStream"/> ends silently when the data is
/// cut short, which would pass the last, cut record off as whole; so this computes the CRC-32 and length of what
/// it decompressed and, at the end, compares them with the file's last 8 bytes. A file of several gzip members
/// (<c>cat a.gz b.gz</c>) fails that check (the trailer covers only the last member): documented as not supported.
/// Corrupt data and a failed check are an <see cref="InvalidDataException"/> whose message says so in plain words.
/// </summary>
internal sealed class GzipInput(FileStream file) : Stream
{
    private readonly GZipStream _gzip = new(file, CompressionMode.Decompress, leaveOpen: true);
    private readonly Crc32 _crc = new();
    private long _length;
    private bool _checked;

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"the gzip data is corrupt after {_length} decompressed bytes");
        }
        if (n > 0)
        {
            _crc.Append(buffer[..n]);
            _length += n;
        }
        else if (!_checked && buffer.Length > 0)
        {
            _checked = true;
            CheckTrailer();
        }
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Decompressing is CPU work: done inline, as the synchronous read does it.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void CheckTrailer()
    {
        Span<byte> trailer = stackalloc byte[8];
        if (file.Length < 18)
        {
            throw new InvalidDataException($"the gzip data ends early: the file has only {file.Length} bytes");
        }
        file.Position = file.Length - 8;
        file.ReadExactly(trailer);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (crc != _crc.GetCurrentHashAsUInt32() || size != (uint)_length)
        {
            throw new InvalidDataException(
                $"the gzip data ends early or is corrupt: {_length} bytes were decompressed, but the gzip trailer does not match them "
                + "(the file may be cut short; a file of several concatenated gzip members is not supported)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
            file.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
