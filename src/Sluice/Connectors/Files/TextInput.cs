using System.Text;
using Sluice.DeadLetters;

namespace Sluice.Connectors.Files;

/// <summary>
/// Opens a text file of a csv or jsonl source as the UTF-8 bytes its reader parses: decompressed when it is gzip
/// (<c>compression</c>), transcoded when it is UTF-16 (<c>encoding</c>). A plain UTF-8 file is the file stream itself,
/// seekable, as before (the fast path); any other is a forward-only stream, so offsets and positions count bytes of
/// the decompressed UTF-8 text and resuming reads the file again from its start up to the position. A gzip file is
/// decompressed once more first, to check it whole against its trailer (see <c>VerifiedHead</c>).
/// A file that is clearly not what the options say (gzip with <c>compression: none</c>, UTF-16 with
/// <c>encoding: utf-8</c>, binary…) is an <see cref="UnreadableFileException"/> that says what it looks like.
/// </summary>
internal static class TextInput
{
    /// <summary>Whether positions in <paramref name="path"/> count its own bytes, so that it can be read on after it
    /// grew: plain UTF-8 only. A gzip or UTF-16 file's offsets count the UTF-8 text it decodes to, which no prefix of
    /// the file's bytes measures: such a file that differs is a changed file.</summary>
    public static bool OffsetsAreBytes(string path, TextCompression compression, TextEncoding encoding) =>
        encoding == TextEncoding.Utf8 && compression != TextCompression.Gzip
        && (compression == TextCompression.None || !FileSniff.IsGzip(FileSniff.Head(path)));

    /// <param name="verify">Whether a gzip file is first checked whole against its trailer (see <c>VerifiedHead</c>);
    /// false only where a few first lines are peeked at (a header, the keys of the first records), never for the read
    /// that emits records: that read checks it, so a gzip file is decompressed twice per run, not three times.</param>
    public static Stream Open(string path, TextCompression compression, TextEncoding encoding, int bufferSize, FileOptions options,
        bool verify = true)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize, options);
        try
        {
            var head = FileSniff.ReadHead(file);
            file.Position = 0;
            bool gzip = FileSniff.IsGzip(head);
            if (gzip && compression == TextCompression.None)
            {
                throw Unreadable(UnreadableFiles.Looks(FileSniff.NotUtf8Text(head)!, "set compression: auto (or gzip) to read it"));
            }
            if (!gzip && compression == TextCompression.Gzip)
            {
                string what = FileSniff.NotUtf8Text(head) is { } looks ? $"; it looks like {looks}" : "";
                throw Unreadable($"compression is gzip but the file is not gzip-compressed (it does not start with 1f 8b){what}");
            }
            var text = !gzip ? head : verify ? VerifiedHead(path) : DecompressedHead(path);
            Stream stream = gzip ? new GzipInput(file) : file;
            return encoding switch
            {
                TextEncoding.Utf8 when FileSniff.NotUtf8Text(text) is { } looks => throw Unreadable(UnreadableFiles.Looks(looks, Fix(text))),
                TextEncoding.Utf8 => stream,
                TextEncoding.Utf16 when text is [0xFF, 0xFE, ..] && text is not [_, _, 0, 0, ..] => Utf16(stream, bigEndian: false),
                TextEncoding.Utf16 when text is [0xFE, 0xFF, ..] => Utf16(stream, bigEndian: true),
                TextEncoding.Utf16 => throw Unreadable("encoding is utf-16 but the file has no UTF-16 byte-order mark (ff fe or fe ff)"
                    + (FileSniff.NotUtf8Text(text) is { } looks ? $"; it looks like {looks}" : "; it looks like UTF-8 text: set encoding: utf-8")
                    + "; for UTF-16 without a byte-order mark set encoding: utf-16le or utf-16be"),
                TextEncoding.Utf16Le => Utf16(stream, bigEndian: false),
                _ => Utf16(stream, bigEndian: true),
            };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads forward to <paramref name="offset"/> of a stream that cannot seek; false when it ends first.</summary>
    public static bool Skip(Stream stream, long offset)
    {
        var scratch = new byte[1 << 16];
        for (long left = offset; left > 0;)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(left, scratch.Length));
            if (n == 0)
            {
                return false;
            }
            left -= n;
        }
        return true;
    }

    private static string Fix(ReadOnlySpan<byte> head) => head switch
    {
        [0xFF, 0xFE, 0, 0, ..] or [0, 0, 0xFE, 0xFF, ..] => "UTF-32 is not read: convert the file to UTF-8",
        [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] => "set encoding: utf-16 to read it",
        _ when FileSniff.IsGzip(head) => "it is compressed twice: decompress it once",
        _ when FileSniff.FirstLine(head).Contains((byte)0) => "for UTF-16 text without a byte-order mark set encoding: utf-16le or utf-16be; otherwise take the file out of the glob",
        _ => "take the file out of the glob",
    };

    // The UTF-16 byte-order mark becomes a UTF-8 one, which the readers skip; an unpaired surrogate becomes U+FFFD.
    private static Stream Utf16(Stream stream, bool bigEndian) =>
        Encoding.CreateTranscodingStream(stream, new UnicodeEncoding(bigEndian, byteOrderMark: false), new UTF8Encoding(false), leaveOpen: false);

    /// <summary>Decompresses the whole file once, checking it against its gzip trailer, and returns its first
    /// decompressed bytes. Deflate has no checksum of its own: corrupt data often decompresses to plausible bytes,
    /// and data cut short just ends, so only the trailer at the end tells; without this pass, records after a
    /// corruption would be published before the end revealed it. None of a broken file's records can be trusted.</summary>
    private static byte[] VerifiedHead(string path)
    {
        var buffer = new byte[1 << 16];
        try
        {
            using var gzip = new GzipInput(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan));
            int n = gzip.ReadAtLeast(buffer, FileSniff.HeadBytes, throwOnEndOfStream: false);
            var head = buffer[..Math.Min(n, FileSniff.HeadBytes)];
            while (gzip.Read(buffer) > 0)
            {
            }
            return head;
        }
        catch (InvalidDataException e)
        {
            throw Unreadable($"{e.Message}; none of its records were read, since which of them are intact cannot be told");
        }
    }

    /// <summary>The first decompressed bytes, without the whole-file check.</summary>
    private static byte[] DecompressedHead(string path)
    {
        try
        {
            using var gzip = new GzipInput(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 12));
            return FileSniff.ReadHead(gzip);
        }
        catch (InvalidDataException e)
        {
            throw Unreadable(e.Message);
        }
    }

    private static UnreadableFileException Unreadable(string message) => new(FileLetters.UnreadableFile, message);
}
