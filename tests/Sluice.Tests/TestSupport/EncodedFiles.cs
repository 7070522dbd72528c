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

    /// <summary>A gzip file cut after <paramref name="keep"/> of its bytes, as a copy interrupted midway leaves it.</summary>
    public static byte[] Cut(byte[] gzip, double keep) => gzip[..(int)(gzip.Length * keep)];
}
