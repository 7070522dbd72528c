using System.Text;
using CsCheck;
using Sluice.DeadLetters;

namespace Sluice.Tests.DeadLetters;

public sealed class OriginalBytesTests
{
    [Fact]
    public void Control_characters_backslashes_and_invalid_bytes_are_escaped_visibly()
    {
        byte[] bytes = [.. "a,\"b\"\t\\x\u001b\0é€"u8, 0xFF, 0xC3, (byte)'z', (byte)'\r', (byte)'\n'];

        Assert.Equal(@"a,""b""\t\\x\x1b\x00é€\xff\xc3z\r\n", OriginalBytes.Escape(bytes));
    }

    [Fact]
    public void Escaped_text_is_one_line_of_printable_characters()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            string text = OriginalBytes.Escape(bytes);
            Assert.DoesNotContain(text, c => char.IsControl(c));
        });
    }

    [Fact]
    public void Valid_utf8_without_control_characters_or_backslashes_prints_as_is()
    {
        Gen.String[Gen.Char.Where(c => !char.IsControl(c) && !char.IsSurrogate(c) && c is not ('\\' or '\uFEFF')), 0, 40].Sample(text =>
            Assert.Equal(text, OriginalBytes.Escape(Encoding.UTF8.GetBytes(text))));
    }

    [Fact]
    public void Hex_dump_shows_offsets_bytes_and_ascii()
    {
        byte[] bytes = [.. "0123456789abcdef"u8, 0x00, 0xFF, (byte)'Z'];

        string dump = OriginalBytes.HexDump(bytes);

        Assert.Equal(
            "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n" +
            "00000010  00 ff 5a                                          |..Z|\n",
            dump);
    }

    [Fact]
    public void Validity_follows_the_utf8_rules()
    {
        Assert.True(OriginalBytes.IsValidUtf8("héllo"u8));
        Assert.False(OriginalBytes.IsValidUtf8([0x68, 0xC3]));
    }
}
