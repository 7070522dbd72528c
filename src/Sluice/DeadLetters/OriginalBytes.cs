using System.Globalization;
using System.Text;

namespace Sluice.DeadLetters;

/// <summary>Shows a dead letter's original bytes so that nothing in them is invisible or ambiguous (sluice dlq show, the dashboard).</summary>
internal static class OriginalBytes
{
    /// <summary>The bytes as UTF-8 text, with control characters (<c>\n</c>, <c>\t</c>, <c>\x1b</c>…), backslashes
    /// and bytes that are not UTF-8 (<c>\xff</c>) escaped, so the line prints as one visible line.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                // An invalid sequence: escape its first byte and try again from the next one.
                text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:x2}");
                bytes = bytes[1..];
                continue;
            }
            bytes = bytes[consumed..];
            switch (rune.Value)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                case var c when Rune.IsControl(rune) || c == 0xFEFF:
                    text.Append(c <= 0xFF ? $"\\x{c:x2}" : $"\\u{c:x4}");
                    break;
                default: text.Append(rune.ToString()); break;
            }
        }
        return text.ToString();
    }

    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>A classic hex dump: offset, 16 bytes in hex, and those bytes as ASCII (others as '.').</summary>
    public static string HexDump(ReadOnlySpan<byte> bytes)
    {
        var dump = new StringBuilder();
        for (int offset = 0; offset < bytes.Length; offset += 16)
        {
            ReadOnlySpan<byte> line = bytes.Slice(offset, Math.Min(16, bytes.Length - offset));
            dump.Append(CultureInfo.InvariantCulture, $"{offset:x8}  ");
            for (int i = 0; i < 16; i++)
            {
                dump.Append(i < line.Length ? line[i].ToString("x2", CultureInfo.InvariantCulture) + " " : "   ");
                if (i == 7)
                    dump.Append(' ');
            }
            dump.Append(" |");
            foreach (byte b in line)
                dump.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
            dump.Append('|').Append('\n');
        }
        return dump.ToString();
    }
}
