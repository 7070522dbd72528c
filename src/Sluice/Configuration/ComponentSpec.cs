using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Extensibility;

/// <summary>
/// The one declaration of a connector (a <c>source</c>/<c>sink</c> <c>type</c>) or a transform: its name, its
/// options and how checked options become a stage. Listed in a <see cref="ComponentCatalog"/>:
/// the built-ins declare theirs beside their options; your own are given to <see cref="ComponentCatalog.Register"/>.
/// </summary>
/// <param name="Name">The <c>type:</c> of a source or sink, or the key of a transform (e.g. <c>filter</c>).</param>
/// <param name="Shape">For sources and sinks, an <see cref="ObjectShape"/> of the keys beside <c>type</c>; for a
/// transform, the shape of the value under its key (an expression for <c>filter</c>, a map for <c>derive</c>).</param>
/// <param name="Bind">Turns a value already checked against <paramref name="Shape"/> into stage options. May throw
/// <see cref="PipelineException"/> for problems the shape cannot express (e.g. a bad glob).</param>
public sealed record ComponentSpec(
    string Name,
    StageKind Kind,
    string Description,
    Shape Shape,
    Func<ConfigNode, IStageOptions> Bind,
    string? Example = null);
