using Sluice.Pipelines;

namespace Sluice.Configuration;

/// <summary>A source or sink: a mapping whose <c>type</c> picks a component from the <see cref="ComponentCatalog"/>;
/// the other keys are that component's options.</summary>
internal sealed record ComponentShape(StageKind Kind) : Shape
{
    public override string Describe() => $"{Kind.ToString().ToLowerInvariant()} (object with `type`)";
}

/// <summary>One transform: a mapping with a single key naming the transform, whose value is its options.</summary>
internal sealed record TransformShape : Shape
{
    public override string Describe() => "transform (`filter:`, `derive:`, …)";
}

/// <summary>One stage of the graph form: <c>name</c>, <c>from</c>, and exactly one of <c>source</c>, <c>contract</c>,
/// <c>sink</c> or a transform key.</summary>
internal sealed record StageShape : Shape
{
    public override string Describe() => "stage";
}
