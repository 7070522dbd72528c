using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Pipelines;

namespace Sluice.Configuration;

/// <summary>
/// A plain options class read as a component's options: each public settable property is an option whose key is
/// the property's name in snake_case, required when it is a <c>required</c> member or has <c>[Required]</c>, with the
/// default of a fresh instance and the description of its <c>[Description]</c>. The class is reflected on once, when
/// the component is registered; binding a pipeline file sets properties, and nothing is reflected per record.
/// </summary>
internal sealed class OptionsClass
{
    private const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    private const string Supported = "string, bool, int, long, double, TimeSpan (written as 30s, 5m …), an enum, a list of strings or a map of string to string (or a nullable one of these)";

    private readonly Type _type;
    private readonly IReadOnlyList<(PropertyInfo Property, OptionSpec Spec)> _options;

    public OptionsClass([DynamicallyAccessedMembers(Members)] Type type)
    {
        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"options class {type.Name} needs a public parameterless constructor: declare its options as settable properties (`public string ApiUrl {{ get; init; }}`)");
        }
        var fresh = Activator.CreateInstance(type)!;
        var options = new List<(PropertyInfo, OptionSpec)>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            string key = SnakeCase(property.Name);
            if (options.Any(o => o.Item2.Name == key))
            {
                throw new ArgumentException($"options class {type.Name}: two properties make the key '{key}'");
            }
            var shape = ShapeOf(property.PropertyType)
                ?? throw new ArgumentException($"option {type.Name}.{property.Name} is a {property.PropertyType.Name}; options can be: {Supported}");
            bool required = property.IsDefined(typeof(RequiredMemberAttribute)) || property.IsDefined(typeof(RequiredAttribute));
            string description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
            options.Add((property, new OptionSpec(key, shape, description, required, required ? null : DefaultText(property.GetValue(fresh)))));
        }
        _type = type;
        _options = options;
        Shape = new ObjectShape(options.Select(o => o.Item2).ToList());
    }

    public ObjectShape Shape { get; }

    /// <summary>A fresh instance with every option written in <paramref name="node"/> (checked against <see cref="Shape"/>)
    /// set; throws <see cref="PipelineException"/> with every value that does not fit its property.</summary>
    public object Bind(ConfigNode node)
    {
        var instance = Activator.CreateInstance(_type)!;
        var problems = new List<Diagnostic>();
        foreach (var (property, spec) in _options)
        {
            if (node[spec.Name] is not { } value)
            {
                continue;
            }
            try
            {
                property.SetValue(instance, Read(value, property.PropertyType));
            }
            catch (FormatException e)
            {
                problems.Add(new Diagnostic(value.Location, $"{spec.Name}: {e.Message}"));
            }
            catch (TargetInvocationException e) when (e.InnerException is { } refused)
            {
                // The property's own setter refused the value: its message is the one to show.
                problems.Add(new Diagnostic(value.Location, $"{spec.Name}: {refused.Message.ReplaceLineEndings(" ")}"));
            }
        }
        return problems.Count == 0 ? instance : throw new PipelineException(problems);
    }

    private static Shape? ShapeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) || type == typeof(TimeSpan) => Extensibility.Shape.String,
            _ when type == typeof(bool) => Extensibility.Shape.Boolean,
            _ when type == typeof(int) || type == typeof(long) => Extensibility.Shape.Integer,
            _ when type == typeof(double) => Extensibility.Shape.Number,
            { IsEnum: true } => Extensibility.Shape.Enum([.. Enum.GetNames(type).Select(SnakeCase)]),
            _ when type.IsAssignableFrom(typeof(List<string>)) || type == typeof(string[]) => Extensibility.Shape.ListOf(Extensibility.Shape.String),
            _ when type.IsAssignableFrom(typeof(Dictionary<string, string>)) => Extensibility.Shape.MapOf(Extensibility.Shape.String),
            _ => null,
        };
    }

    /// <summary>The value of a checked node as <paramref name="type"/>; a <see cref="FormatException"/> saying what
    /// to write when it does not fit where the shape could not tell (a number too large for an int, a duration).</summary>
    private static object Read(ConfigNode node, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return node.Text;
        }
        if (type == typeof(bool))
        {
            return bool.Parse(node.Text);
        }
        if (type == typeof(int))
        {
            return int.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)
                ? i : throw new FormatException($"expected an integer from {int.MinValue} to {int.MaxValue}, found '{node.Text}'");
        }
        if (type == typeof(long))
        {
            return long.Parse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        if (type == typeof(double))
        {
            return double.Parse(node.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (type == typeof(TimeSpan))
        {
            return DurationText.TryParse(node.Text, out var duration)
                ? duration : throw new FormatException($"expected a duration with a unit, e.g. 250ms, 10s, 5m, 1h; found '{node.Text}'");
        }
        if (type.IsEnum)
        {
            return Enum.Parse(type, Enum.GetNames(type).First(n => SnakeCase(n) == node.Text));
        }
        if (node.IsList)
        {
            var items = node.Items.Select(i => i.Text).ToList();
            return type == typeof(string[]) ? items.ToArray() : items;
        }
        return node.Entries.ToDictionary(e => e.Key, e => e.Value.Text);
    }

    /// <summary>How a fresh instance's value reads as a default in the docs; null for none.</summary>
    private static string? DefaultText(object? value) => value switch
    {
        null or "" => null,
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => DurationText.Format(t),
        Enum e => SnakeCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary { Count: 0 } or ICollection { Count: 0 } => null,
        IDictionary d => "{ " + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {d[k]}")) + " }",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object>()) + "]",
        _ => value.ToString(),
    };

    /// <summary><c>ApiUrl</c> → <c>api_url</c>, <c>MaxRPS</c> → <c>max_rps</c>, <c>HTTPTimeout</c> → <c>http_timeout</c>: an
    /// option's key from its property, and a typed record's column from its property (one rule for both).</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool wordStart = i > 0 && char.IsUpper(c)
                && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (wordStart && name[i - 1] != '_')
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
