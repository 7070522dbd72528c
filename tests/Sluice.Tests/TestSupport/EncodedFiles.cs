using System.IO.Compression;
using System.Text;

namespace Sluice.Tests.TestSupport;

/// <summary>Text as users hand it over: gzip-compressed, UTF-16, cut short.</summary>
public static class EncodedFiles
{
    public static byte[] Gzip(byte[] content)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    public static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    /// <summary>UTF-16 with its byte-order mark.</summary>
    public static byte[] Utf16(string text, bool bigEndian = false)
    {
        var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: true);
        return [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];
    }

    /// <summary>Rewrites each file gzip-compressed.</summary>
    public static void GzipInPlace(TempDir dir, params string[] names)
    {
        foreach (string name in names)
        {
            dir.Write(name, Gzip(File.ReadAllBytes(dir.File(name))));
        }
    }

    /// <summary>Rewrites three UTF-8 files as UTF-16 in each form a reader must take: little-endian (a UTF-8 BOM
    /// becomes a UTF-16 one), big-endian, and little-endian gzip-compressed.</summary>
    public static void Utf16InPlace(TempDir dir, string littleEndian, string bigEndian, string compressed)
    {
        dir.Write(littleEndian, Utf16(File.ReadAllText(dir.File(littleEndian))));
        dir.Write(bigEndian, Utf16(File.ReadAllText(dir.File(bigEndian)), bigEndian: true));
        dir.Write(compressed, Gzip(Utf16(File.ReadAllText(dir.File(compressed)))));
    }

    /// <summary>A gzip file cut after <paramref name="keep"/> of its bytes, as a copy interrupted midway leaves it.</summary>
    public static byte[] Cut(byte[] gzip, double keep) => gzip[..(int)(gzip.Length * keep)];
}
