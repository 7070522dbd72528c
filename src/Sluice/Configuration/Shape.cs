using Sluice.Configuration;
namespace Sluice.Extensibility;

/// <summary>
/// What a value in a pipeline file must look like. One shape per option drives the loader's checks,
/// <c>sluice validate</c>, the generated docs and the JSON Schema, so they cannot disagree.
/// </summary>
public abstract record Shape
{
    public static Shape String { get; } = new ScalarShape(ScalarKind.String);
    public static Shape Integer { get; } = new ScalarShape(ScalarKind.Integer);
    public static Shape Number { get; } = new ScalarShape(ScalarKind.Number);
    public static Shape Boolean { get; } = new ScalarShape(ScalarKind.Boolean);
    public static Shape Expression { get; } = new ScalarShape(ScalarKind.Expression);
    public static Shape Regex { get; } = new ScalarShape(ScalarKind.Regex);

    /// <summary>A string, or a number/boolean written as a scalar (e.g. <c>min: 3</c>, <c>enum: [1, 2]</c>).</summary>
    public static Shape Scalar { get; } = new ScalarShape(ScalarKind.Any);

    public static Shape Enum(params string[] values) => new ScalarShape(ScalarKind.String, values);
    public static Shape ListOf(Shape item) => new ListShape(item);
    public static Shape MapOf(Shape value) => new MapShape(value);
    public static Shape Object(params OptionSpec[] options) => new ObjectShape(options);
    public static Shape OneOf(params Shape[] shapes) => new OneOfShape(shapes);

    /// <summary>How the shape reads in the docs, e.g. <c>list of string</c>.</summary>
    public abstract string Describe();
}

public enum ScalarKind
{
    String,
    Integer,
    Number,
    Boolean,
    /// <summary>An expression in Sluice's SQL-style language, checked when the pipeline is built.</summary>
    Expression,
    /// <summary>A .NET regular expression, compiled when the file is loaded.</summary>
    Regex,
    /// <summary>Any scalar; the consumer interprets it.</summary>
    Any,
}

public sealed record ScalarShape(ScalarKind Kind, IReadOnlyList<string>? Allowed = null) : Shape
{
    public override string Describe() => Allowed is { Count: > 0 }
        ? "one of " + string.Join(", ", Allowed.Select(a => $"`{a}`"))
        : Kind switch
        {
            ScalarKind.Any => "scalar",
            _ => Kind.ToString().ToLowerInvariant(),
        };
}

public sealed record ListShape(Shape Item) : Shape
{
    public override string Describe() => $"list of {Item.Describe()}";
}

/// <summary>A mapping whose keys the user chooses (column names, field names).</summary>
public sealed record MapShape(Shape Value) : Shape
{
    public override string Describe() => $"map of name → {Value.Describe()}";
}

/// <summary>A mapping with a fixed set of keys; any other key is an error.</summary>
public sealed record ObjectShape(IReadOnlyList<OptionSpec> Options) : Shape
{
    public OptionSpec? Find(string name) => Options.FirstOrDefault(o => o.Name == name);

    public override string Describe() => "object";
}

/// <summary>The first alternative whose kind (scalar, list, mapping) matches the value is used.</summary>
public sealed record OneOfShape(IReadOnlyList<Shape> Alternatives) : Shape
{
    public override string Describe() => string.Join(" or ", Alternatives.Select(a => a.Describe()));
}
