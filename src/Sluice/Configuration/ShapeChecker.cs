using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Pipelines;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice.Configuration;

/// <summary>
/// Checks YAML nodes against <see cref="Shape"/>s and turns them into <see cref="ConfigNode"/>s. It never stops at
/// the first problem: each one is recorded with its location, and checking goes on with the next value.
/// </summary>
internal sealed class ShapeChecker(string file, ComponentCatalog catalog)
{
    private static readonly string[] StageKeys = ["source", "contract", "sink"];

    public List<Diagnostic> Problems { get; } = [];

    /// <summary>Set while checking the value of a secret option, whose <c>${env:…}</c> references stay unresolved.</summary>
    private bool _inSecret;

    /// <summary>The problems that do not change what a stage means (unknown keys, which are ignored): a stage with
    /// only these is still built, and the stages after it checked against its output.</summary>
    public HashSet<Diagnostic> Ignorable { get; } = new(ReferenceEqualityComparer.Instance);

    public string File => file;

    /// <summary>What <c>${params.NAME}</c> references are filled in from; none by default. Null: they are left as
    /// written (a flow file, whose references are filled in when each task runs).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; } = new Dictionary<string, string>();

    public ComponentCatalog Catalog => catalog;

    /// <returns>The checked value, or null when it has problems (already recorded).</returns>
    public ConfigNode? Check(YamlNode node, Shape shape, string where) => shape switch
    {
        ScalarShape s => CheckScalar(node, s, where),
        ListShape l => CheckList(node, l, where),
        MapShape m => CheckMap(node, m, where),
        ObjectShape o => CheckObject(node, o, where, []),
        OneOfShape one => CheckOneOf(node, one, where),
        ComponentShape c => CheckComponent(node, c, where),
        TransformShape => CheckTransform(node, where),
        StageShape => CheckStage(node, where),
        _ => throw new NotSupportedException(shape.GetType().Name),
    };

    public SourceLocation Locate(YamlNode node) => Locate(node.Start);

    public SourceLocation Locate(Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    public void Problem(YamlNode node, string message) => Problems.Add(new Diagnostic(Locate(node), message));

    private ConfigNode? CheckScalar(YamlNode node, ScalarShape shape, string where)
    {
        if (node is not YamlScalarNode scalar)
        {
            Problem(node, $"{where}: expected {Article(shape.Describe())}, found {KindOf(node)}");
            return null;
        }
        string text = scalar.Value ?? "";
        if (IsNull(scalar))
        {
            Problem(node, $"{where}: missing value; expected {Article(shape.Describe())}");
            return null;
        }
        // A parameter goes into an expression as a string value only: pasted in as text it could change the meaning.
        // Environment references are left alone in expressions.
        if (!_inSecret && shape.Kind == ScalarKind.Expression && Parameters is not null)
        {
            if (ParameterReferences.ExpandInExpression(text, Parameters, out string? unknown) is not { } filled)
            {
                Problem(node, $"{where}: no parameter '{unknown}' was given for ${{params.{unknown}}} (a flow task gives them in `params:`, `sluice run` with --param {unknown}=VALUE)");
                return null;
            }
            text = filled;
        }
        else if (!_inSecret && shape.Kind != ScalarKind.Expression)
        {
            if (EnvironmentReferences.Expand(text, out string? missing) is not { } expanded)
            {
                Problem(node, $"{where}: the environment variable {missing} is not set (write ${{env:{missing}:-default}} to give a default)");
                return null;
            }
            text = expanded;
            if (Parameters is not null)
            {
                if (ParameterReferences.Expand(text, Parameters, out string? unknown) is not { } filled)
                {
                    Problem(node, $"{where}: no parameter '{unknown}' was given for ${{params.{unknown}}} (a flow task gives them in `params:`, `sluice run` with --param {unknown}=VALUE)");
                    return null;
                }
                text = filled;
            }
        }
        string? error = shape.Kind switch
        {
            ScalarKind.Integer when !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) =>
                $"expected an integer, found '{text}'",
            ScalarKind.Number when !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) =>
                $"expected a number, found '{text}'",
            ScalarKind.Boolean when text is not ("true" or "false") => $"expected true or false, found '{text}'",
            ScalarKind.Regex => Contracts.LinearPattern.TryCreate(text, RegexOptions.None, out string? problem) is null ? problem : null,
            _ when shape.Allowed is { Count: > 0 } allowed && !allowed.Contains(text) =>
                $"expected one of {string.Join(", ", allowed)}; found '{text}'{DidYouMean(text, allowed)}",
            _ => null,
        };
        if (error is not null)
        {
            Problem(node, $"{where}: {error}");
            return null;
        }
        return ConfigNode.Scalar(Locate(node), text, ContentStart(scalar));
    }

    private ConfigNode? CheckList(YamlNode node, ListShape shape, string where)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Problem(node, $"{where}: expected a {shape.Describe()} (e.g. [a, b]), found {KindOf(node)}");
            return null;
        }
        var items = sequence.Children.Select((child, i) => Check(child, shape.Item, $"{where}[{i}]")).ToList();
        return items.Any(i => i is null) ? null : ConfigNode.List(Locate(node), items!);
    }

    private ConfigNode? CheckMap(YamlNode node, MapShape shape, string where)
    {
        if (Mapping(node, where, shape.Describe()) is not { } mapping)
        {
            return null;
        }
        var entries = new List<KeyValuePair<string, ConfigNode>>();
        bool ok = true;
        foreach (var (key, value) in mapping)
        {
            var checkedValue = Check(value, shape.Value, $"{where}.{key}");
            ok &= checkedValue is not null;
            if (checkedValue is not null)
            {
                entries.Add(new(key, checkedValue));
            }
        }
        return ok ? ConfigNode.Map(Locate(node), entries) : null;
    }

    /// <summary>Checks a file's root mapping. Unlike nested values, the root is returned with whatever entries are valid
    /// even when others are not, so that the caller can go on and report problems in the rest of the file too.</summary>
    public ConfigNode? CheckRoot(YamlMappingNode root, ObjectShape shape, string where) => CheckObject(root, shape, where, [], lenient: true);

    /// <param name="extraKeys">Keys handled by the caller (e.g. <c>type</c>), accepted as plain strings.</param>
    private ConfigNode? CheckObject(YamlNode node, ObjectShape shape, string where, IReadOnlyList<string> extraKeys, bool lenient = false)
    {
        if (Mapping(node, where, "mapping") is not { } mapping)
        {
            return null;
        }
        var entries = new List<KeyValuePair<string, ConfigNode>>();
        bool ok = true;
        foreach (var (key, value) in mapping)
        {
            var option = shape.Find(key);
            if (option is null && !extraKeys.Contains(key))
            {
                var known = shape.Options.Select(o => o.Name).Concat(extraKeys).ToList();
                // Reported, but the rest of the mapping is still usable, so checking goes on deeper (e.g. into a contract file).
                var unknown = new Diagnostic(Locate(KeyNode(node, key)), $"{where}: unknown key '{key}'{DidYouMean(key, known)}; expected one of: {string.Join(", ", known)}");
                Problems.Add(unknown);
                Ignorable.Add(unknown);
                continue;
            }
            _inSecret = option is { Secret: true };
            var checkedValue = Check(value, option?.Shape ?? Shape.String, $"{where}.{key}");
            _inSecret = false;
            // A bad optional value is reported and left out, so that the rest is still bound and checked in this pass
            // (a contract with a bad pattern still reports its bad min); a bad required one makes the object unusable.
            ok &= checkedValue is not null || option is { Required: false };
            if (checkedValue is not null)
            {
                entries.Add(new(key, checkedValue));
            }
        }
        foreach (var required in shape.Options.Where(o => o.Required && !mapping.Any(e => e.Key == o.Name)))
        {
            Problem(node, $"{where}: missing required key '{required.Name}'{(required.Description.Length > 0 ? $" ({required.Description})" : "")}");
            ok = false;
        }
        return ok || lenient ? ConfigNode.Map(Locate(node), entries) : null;
    }

    private ConfigNode? CheckOneOf(YamlNode node, OneOfShape shape, string where)
    {
        var fitting = shape.Alternatives.FirstOrDefault(a => node switch
        {
            YamlScalarNode => a is ScalarShape,
            YamlSequenceNode => a is ListShape,
            _ => a is MapShape or ObjectShape or ComponentShape,
        });
        if (fitting is null)
        {
            Problem(node, $"{where}: expected {shape.Describe()}, found {KindOf(node)}");
            return null;
        }
        return Check(node, fitting, where);
    }

    private ConfigNode? CheckComponent(YamlNode node, ComponentShape shape, string where)
    {
        if (Mapping(node, where, "mapping with a `type`") is not { } mapping)
        {
            return null;
        }
        var available = catalog.Of(shape.Kind);
        var names = available.Select(c => c.Name).ToList();
        var typeNode = mapping.FirstOrDefault(e => e.Key == "type").Value;
        if (typeNode is null)
        {
            Problem(node, $"{where}: missing required key 'type'; expected one of: {string.Join(", ", names)}");
            return null;
        }
        string type = (typeNode as YamlScalarNode)?.Value ?? "";
        var spec = available.FirstOrDefault(c => c.Name == type);
        if (spec is null)
        {
            Problem(typeNode, $"{where}: unknown {shape.Kind.ToString().ToLowerInvariant()} type '{type}'{DidYouMean(type, names)}; expected one of: {string.Join(", ", names)}");
            return null;
        }
        return CheckObject(node, (ObjectShape)spec.Shape, $"{type} {shape.Kind.ToString().ToLowerInvariant()}", ["type"]);
    }

    private ConfigNode? CheckTransform(YamlNode node, string where)
    {
        var names = catalog.Transforms.Select(t => t.Name).ToList();
        if (Mapping(node, where, $"mapping with one of: {string.Join(", ", names)}") is not { } mapping)
        {
            return null;
        }
        if (mapping.Any(e => e.Key == "use") && !names.Contains("use"))
        {
            string named = mapping.First(e => e.Key == "use").Value is YamlScalarNode { Value: { Length: > 0 } n } ? n : "the_transform";
            Problem(node, $"{where}: write a registered transform by its own key, as the built-ins: `- {named}: {{ … }}` (its options under it), not `use:`/`with:`");
            return null;
        }
        if (mapping.Count != 1)
        {
            Problem(node, $"{where}: a transform has exactly one key (one of: {string.Join(", ", names)}); found {mapping.Count}: {string.Join(", ", mapping.Select(e => e.Key))}. Write each transform as its own list item");
            return null;
        }
        var (key, value) = mapping[0];
        var spec = catalog.Transforms.FirstOrDefault(t => t.Name == key);
        if (spec is null)
        {
            Problems.Add(new(Locate(KeyNode(node, key)), $"{where}: unknown transform '{key}'{DidYouMean(key, names)}; expected one of: {string.Join(", ", names)}"));
            return null;
        }
        return CheckTransformValue(value, spec, $"{where}.{key}") is { } options ? ConfigNode.Map(Locate(node), [new(key, options)]) : null;
    }

    /// <summary>A transform's value; a transform whose options are all optional may be written with none
    /// (<c>- enrich:</c>), which reads as an empty mapping.</summary>
    public ConfigNode? CheckTransformValue(YamlNode value, ComponentSpec spec, string where) =>
        value is YamlScalarNode scalar && IsNull(scalar) && spec.Shape is ObjectShape shape && !shape.Options.Any(o => o.Required)
            ? ConfigNode.Map(Locate(value), [])
            : Check(value, spec.Shape, where);

    private ConfigNode? CheckStage(YamlNode node, string where)
    {
        var kinds = StageKeys.Concat(catalog.Transforms.Select(t => t.Name)).ToList();
        if (Mapping(node, where, "mapping") is not { } mapping)
        {
            return null;
        }
        var entries = new List<KeyValuePair<string, ConfigNode>>();
        bool ok = true;
        foreach (var (key, value) in mapping)
        {
            Shape? shape = key switch
            {
                "name" => Shape.String,
                "from" => Shape.OneOf(Shape.String, Shape.ListOf(Shape.String)),
                "resilience" => PipelineSpec.Resilience,
                "source" => new ComponentShape(StageKind.Source),
                "sink" => new ComponentShape(StageKind.Sink),
                "contract" => Shape.OneOf(Shape.String, catalog.Contract.Shape),
                _ => catalog.Transforms.FirstOrDefault(t => t.Name == key)?.Shape,
            };
            if (shape is null)
            {
                var known = new[] { "name", "from", "resilience" }.Concat(kinds).ToList();
                Problems.Add(new(Locate(KeyNode(node, key)), $"{where}: unknown key '{key}'{DidYouMean(key, known)}; a stage has `name`, `from`, `resilience` and one of: {string.Join(", ", kinds)}"));
                ok = false;
                continue;
            }
            var transform = catalog.Transforms.FirstOrDefault(t => t.Name == key);
            var checkedValue = transform is null ? Check(value, shape, $"{where}.{key}") : CheckTransformValue(value, transform, $"{where}.{key}");
            ok &= checkedValue is not null;
            if (checkedValue is not null)
            {
                entries.Add(new(key, checkedValue));
            }
        }
        if (!mapping.Any(e => e.Key == "name"))
        {
            Problem(node, $"{where}: missing required key 'name' (the stage's unique name)");
            ok = false;
        }
        int what = mapping.Count(e => kinds.Contains(e.Key));
        if (what != 1)
        {
            Problem(node, $"{where}: a stage needs exactly one of: {string.Join(", ", kinds)}; found {what}");
            ok = false;
        }
        return ok ? ConfigNode.Map(Locate(node), entries) : null;
    }

    private List<(string Key, YamlNode Value)>? Mapping(YamlNode node, string where, string expected)
    {
        if (node is not YamlMappingNode mapping)
        {
            Problem(node, $"{where}: expected a {expected}, found {KindOf(node)}");
            return null;
        }
        var result = new List<(string, YamlNode)>();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                Problem(key, $"{where}: keys must be plain names");
                continue;
            }
            result.Add((name, value));
        }
        return result;
    }

    private static YamlNode KeyNode(YamlNode mapping, string key) =>
        ((YamlMappingNode)mapping).Children.Keys.First(k => (k as YamlScalarNode)?.Value == key);

    private SourceLocation ContentStart(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            ? Locate(scalar).Shift(0, 1)
            : Locate(scalar);

    internal static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string KindOf(YamlNode node) => node switch
    {
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "something else",
    };

    private static string Article(string description) =>
        description.StartsWith("one of", StringComparison.Ordinal) ? description
        : "aeiou".Contains(description[0]) ? $"an {description}" : $"a {description}";

    internal static string DidYouMean(string text, IEnumerable<string> candidates)
    {
        var closest = candidates.MinBy(c => Transforms.ColumnNames.Distance(c, text));
        return closest is not null && Transforms.ColumnNames.Distance(closest, text) <= Math.Max(1, text.Length / 3)
            ? $" (did you mean '{closest}'?)"
            : "";
    }
}
