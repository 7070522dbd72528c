using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Sluice.Dashboard.Html;

/// <summary>
/// Builds HTML from an interpolated string: the literal parts are the dashboard's markup, every hole is encoded
/// unless it is <see cref="Markup"/>. So <c>H.Of($"&lt;td&gt;{run.Error}&lt;/td&gt;")</c> is safe whatever the error says,
/// and forgetting to encode takes effort (wrapping text in <see cref="Markup"/>) rather than being the default.
/// </summary>
[InterpolatedStringHandler]
internal ref struct HtmlHandler
{
    // Letters of every script stay readable; what means something to HTML (< > & " ') and control characters are
    // encoded, in text and in attribute values alike.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _text;

    public HtmlHandler(int literalLength, int formattedCount) => _text = new StringBuilder(literalLength + formattedCount * 16);

    public void AppendLiteral(string value) => _text.Append(value);

    public void AppendFormatted(Markup value) => _text.Append(value.Value);

    public void AppendFormatted(string? value)
    {
        if (value is not null)
            Encoder.Encode(new StringWriter(_text, CultureInfo.InvariantCulture), value);
    }

    public void AppendFormatted<T>(T value) =>
        AppendFormatted(value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());

    public void AppendFormatted<T>(T value, string? format) where T : IFormattable =>
        AppendFormatted(value.ToString(format, CultureInfo.InvariantCulture));

    public readonly Markup ToMarkup() => new(_text.ToString());
}

/// <summary>Short names for building markup: <c>H.Of($"…")</c>.</summary>
internal static class H
{
    public static Markup Of(ref HtmlHandler html) => html.ToMarkup();

    /// <summary>Text as markup, encoded.</summary>
    public static Markup Text(string? text) => Of($"{text}");

    public static Markup Join(IEnumerable<Markup> parts) => Markup.Join(parts);
}
