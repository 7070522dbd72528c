using System.Text.Unicode;

namespace Sluice.Connectors.Files;

/// <summary>Says what a file looks like from its first bytes, so that the error for a file that cannot be read
/// tells the user what it is (a gzip file in a <c>*.csv</c> glob, UTF-16 text, a Parquet file…).</summary>
internal static class FileSniff
{
    /// <summary>How many first bytes are looked at, and kept as an unreadable file's original bytes.</summary>
    public const int HeadBytes = 1024;

    public static byte[] Head(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            return ReadHead(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Up to <see cref="HeadBytes"/> bytes from the stream's current place.</summary>
    public static byte[] ReadHead(Stream stream)
    {
        var head = new byte[HeadBytes];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return head[..n];
    }

    public static bool IsGzip(ReadOnlySpan<byte> head) => head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]);

    /// <summary>What the bytes are when they are clearly not UTF-8 text, else null.</summary>
    public static string? NotUtf8Text(ReadOnlySpan<byte> head) => head switch
    {
        _ when IsGzip(head) => "gzip-compressed data (it starts with the gzip magic bytes 1f 8b)",
        [0xFF, 0xFE, 0x00, 0x00, ..] => "UTF-32 LE text (it starts with the byte-order mark ff fe 00 00)",
        [0x00, 0x00, 0xFE, 0xFF, ..] => "UTF-32 BE text (it starts with the byte-order mark 00 00 fe ff)",
        [0xFF, 0xFE, ..] => "UTF-16 LE text (it starts with the byte-order mark ff fe)",
        [0xFE, 0xFF, ..] => "UTF-16 BE text (it starts with the byte-order mark fe ff)",
        [(byte)'P', (byte)'A', (byte)'R', (byte)'1', ..] => "a Parquet file (it starts with the magic bytes 'PAR1')",
        [(byte)'P', (byte)'K', 0x03, 0x04, ..] => "a zip archive (it starts with 'PK')",
        // Only the first line: a NUL byte further on is bad data that costs only its own record.
        _ when FirstLine(head).Contains((byte)0) => "binary data, or UTF-16 text without a byte-order mark (it has NUL bytes in "
            + "its first line)",
        _ => null,
    };

    /// <summary>Whether the bytes are UTF-8, allowing a character cut off at the end of the head.</summary>
    private static bool IsUtf8Text(ReadOnlySpan<byte> head)
    {
        for (int cut = 0; cut <= Math.Min(3, head.Length); cut++)
        {
            if (Utf8.IsValid(head[..^cut]))
            {
                return !head.Contains((byte)0);
            }
        }
        return false;
    }

    public static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> head) =>
        head.IndexOf((byte)'\n') is >= 0 and var lf ? head[..lf] : head;

    /// <summary>What a file that should be Parquet looks like instead, or null when it has the Parquet magic at
    /// both ends (then it is a damaged Parquet file).</summary>
    public static string? NotParquet(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            var head = ReadHead(stream);
            if (stream.Length < 12)
            {
                return $"too short for a Parquet file ({stream.Length} bytes)";
            }
            stream.Position = stream.Length - 4;
            Span<byte> tail = stackalloc byte[4];
            stream.ReadExactly(tail);
            bool starts = head.AsSpan().StartsWith("PAR1"u8), ends = tail.SequenceEqual("PAR1"u8);
            return (starts, ends) switch
            {
                (true, true) => null,
                (true, false) => "a Parquet file without its footer (it starts with 'PAR1' but does not end with it: cut short?)",
                _ => NotUtf8Text(head) ?? (IsUtf8Text(head) ? "text" : "binary data of some other format")
                    + ", not Parquet (it does not start with the magic bytes 'PAR1')",
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
