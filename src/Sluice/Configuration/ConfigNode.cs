using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Extensibility;

/// <summary>
/// A value read from a pipeline file, already checked against its <see cref="Shape"/>, with the location it was
/// written at. Scalars hold their text; lists and maps hold child nodes in file order.
/// </summary>
public sealed class ConfigNode
{
    private readonly string? _scalar;
    private readonly IReadOnlyList<ConfigNode>? _items;
    private readonly IReadOnlyList<KeyValuePair<string, ConfigNode>>? _entries;

    private ConfigNode(SourceLocation location, string? scalar, IReadOnlyList<ConfigNode>? items,
        IReadOnlyList<KeyValuePair<string, ConfigNode>>? entries, SourceLocation? content)
    {
        Location = location;
        _scalar = scalar;
        _items = items;
        _entries = entries;
        ContentLocation = content ?? location;
    }

    public static ConfigNode Scalar(SourceLocation location, string text, SourceLocation? contentLocation = null) =>
        new(location, text, null, null, contentLocation);

    public static ConfigNode List(SourceLocation location, IReadOnlyList<ConfigNode> items) =>
        new(location, null, items, null, null);

    public static ConfigNode Map(SourceLocation location, IReadOnlyList<KeyValuePair<string, ConfigNode>> entries) =>
        new(location, null, null, entries, null);

    /// <summary>Where the value starts in the pipeline file: give it to a <see cref="PipelineException"/> so the
    /// error reads <c>file:line:col: …</c>.</summary>
    public SourceLocation Location { get; }

    /// <summary>Where the scalar's text itself starts (after an opening quote), for positioning errors inside it.</summary>
    public SourceLocation ContentLocation { get; }

    public bool IsScalar => _scalar is not null;
    public bool IsList => _items is not null;
    public bool IsMap => _entries is not null;

    /// <summary>A scalar's text, as written (numbers and booleans too).</summary>
    public string Text => _scalar ?? throw new InvalidOperationException($"{Location}: not a scalar");

    /// <summary>A list's items, in file order.</summary>
    public IReadOnlyList<ConfigNode> Items => _items ?? throw new InvalidOperationException($"{Location}: not a list");

    /// <summary>A mapping's keys and values, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries =>
        _entries ?? throw new InvalidOperationException($"{Location}: not a mapping");

    /// <summary>The child under <paramref name="key"/>, or null when the key is absent.</summary>
    public ConfigNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    // The typed getters below return null when the key is absent. They parse without checking again: the node was
    // checked against the option's shape (Shape.Integer, Shape.Boolean …) before a Bind sees it, so the text fits.

    public string? GetString(string key) => this[key]?.Text;

    public string GetString(string key, string fallback) => this[key]?.Text ?? fallback;

    public long? GetInt64(string key) => this[key] is { } n ? long.Parse(n.Text, System.Globalization.CultureInfo.InvariantCulture) : null;

    public double? GetDouble(string key) => this[key] is { } n ? double.Parse(n.Text, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool? GetBool(string key) => this[key] is { } n ? bool.Parse(n.Text) : null;

    /// <summary>A list of strings (<c>Shape.ListOf(Shape.String)</c>).</summary>
    public IReadOnlyList<string>? GetStrings(string key) => this[key]?.Items.Select(i => i.Text).ToList();

    /// <summary>A map of strings (<c>Shape.MapOf(Shape.String)</c>), keys in file order.</summary>
    public IReadOnlyDictionary<string, string>? GetStringMap(string key) => this[key]?.Entries.ToDictionary(e => e.Key, e => e.Value.Text);

    /// <summary>A duration written with a unit (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c>) under a
    /// <c>Shape.String</c> option; throws <see cref="PipelineException"/> at the value when it is not one.</summary>
    public TimeSpan? GetDuration(string key) => this[key] switch
    {
        null => null,
        var n when DurationText.TryParse(n.Text, out var duration) => duration,
        var n => throw new PipelineException(n.Location, $"{key} must be a duration with a unit, e.g. 250ms, 10s, 5m, 1h; found '{n.Text}'"),
    };
}
