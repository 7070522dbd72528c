namespace Sluice.Dashboard.Html;

/// <summary>HTML the dashboard built itself: the only text that goes out without being encoded. Anything else —
/// a run's error, a stage's name, a letter's bytes — is a plain string, and <see cref="HtmlHandler"/> encodes it.</summary>
internal readonly record struct Markup(string Value)
{
    public static Markup Empty { get; } = new("");

    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(p => p.Value)));

    public override string ToString() => Value;
}
