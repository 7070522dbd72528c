using Sluice.Pipelines;
namespace Sluice;

/// <summary>One problem with a pipeline definition: where it is, and what to write instead.</summary>
public sealed record Diagnostic(SourceLocation? Location, string Message)
{
    public override string ToString() => Location is null ? Message : $"{Location}: {Message}";
}
