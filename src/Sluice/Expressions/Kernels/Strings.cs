using System.Text;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// String functions on UTF-8 bytes. Lengths and positions count code points; comparisons and searches are ordinal
/// (byte-wise), which is exact for UTF-8. Only lower/upper of non-ASCII text decode to UTF-16.
/// </summary>
internal static class Strings
{
    public static long Length(ReadOnlySpan<byte> s)
    {
        long continuation = 0;
        foreach (byte b in s) continuation += (b & 0xC0) == 0x80 ? 1 : 0;
        return s.Length - continuation;
    }

    public static void Lower(ReadOnlySpan<byte> s, StrBuilder output) => ChangeCase(s, output, upper: false);

    public static void Upper(ReadOnlySpan<byte> s, StrBuilder output) => ChangeCase(s, output, upper: true);

    private static void ChangeCase(ReadOnlySpan<byte> s, StrBuilder output, bool upper)
    {
        if (Ascii.IsValid(s))
        {
            var destination = output.Reserve(s.Length);
            if (upper) Ascii.ToUpper(s, destination, out _);
            else Ascii.ToLower(s, destination, out _);
            output.Advance(s.Length);
            return;
        }
        string text = Encoding.UTF8.GetString(s);
        output.Add(Encoding.UTF8.GetBytes(upper ? text.ToUpperInvariant() : text.ToLowerInvariant()));
    }

    public static void Trim(ReadOnlySpan<byte> s, StrBuilder output) => output.Add(s.Trim(" \t\r\n"u8));

    public static void TrimStart(ReadOnlySpan<byte> s, StrBuilder output) => output.Add(s.TrimStart(" \t\r\n"u8));

    public static void TrimEnd(ReadOnlySpan<byte> s, StrBuilder output) => output.Add(s.TrimEnd(" \t\r\n"u8));

    /// <summary>
    /// SQL substring with 1-based code point positions: the characters at positions [start, start + length) that exist.
    /// A start before 1 still counts toward the length (PostgreSQL semantics); a negative length gives ''.
    /// </summary>
    public static ReadOnlySpan<byte> Substring(ReadOnlySpan<byte> s, long start, long? length)
    {
        long end = length is { } l ? (l < 0 ? start : start + l) : long.MaxValue;
        long from = Math.Max(start, 1);
        if (end <= from) return [];
        int begin = ByteIndex(s, from - 1);
        int stop = end == long.MaxValue ? s.Length : ByteIndex(s, end - 1);
        return s[begin..stop];
    }

    /// <summary>Byte offset of the code point with 0-based index <paramref name="chars"/>, or the length when past the end.</summary>
    private static int ByteIndex(ReadOnlySpan<byte> s, long chars)
    {
        int i = 0;
        for (long seen = 0; i < s.Length; i++)
        {
            if ((s[i] & 0xC0) == 0x80) continue;
            if (seen++ == chars) return i;
        }
        return s.Length;
    }

    /// <summary>The largest string value a function may make: far above any record (1 MiB by default), far below what
    /// a batch's buffer can hold.</summary>
    public const long MaxValueBytes = 16L << 20;

    /// <summary>The length of <see cref="Replace"/>'s result, counted without building it.</summary>
    public static long ReplacedLength(ReadOnlySpan<byte> s, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to) =>
        from.IsEmpty || to.Length <= from.Length ? s.Length : s.Length + (long)s.Count(from) * (to.Length - from.Length);

    public static void Replace(ReadOnlySpan<byte> s, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, StrBuilder output)
    {
        if (from.IsEmpty) { output.Add(s); return; }
        while (true)
        {
            int at = s.IndexOf(from);
            if (at < 0) { output.Add(s); return; }
            output.Add(s[..at]);
            output.Add(to);
            s = s[(at + from.Length)..];
        }
    }

    /// <summary>LIKE: % matches any run of characters, _ exactly one code point; everything else matches itself.</summary>
    public static bool Like(ReadOnlySpan<byte> s, ReadOnlySpan<byte> pattern)
    {
        int si = 0, pi = 0, starP = -1, starS = 0;
        while (si < s.Length)
        {
            if (pi < pattern.Length && pattern[pi] == '%') { starP = ++pi; starS = si; continue; }
            if (pi < pattern.Length && pattern[pi] == '_') { si += SequenceLength(s[si]); pi++; continue; }
            if (pi < pattern.Length && pattern[pi] == s[si]) { si++; pi++; continue; }
            if (starP < 0) return false;
            starS += SequenceLength(s[starS]);
            si = starS;
            pi = starP;
        }
        while (pi < pattern.Length && pattern[pi] == '%') pi++;
        return pi == pattern.Length;
    }

    private static int SequenceLength(byte lead) => lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
