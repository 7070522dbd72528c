using Sluice.Pipelines;
namespace Sluice;

/// <summary>The pipeline definition is invalid. Carries every problem found, not just the first.</summary>
public sealed class PipelineException : Exception
{
    public PipelineException(IReadOnlyList<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public PipelineException(SourceLocation? location, string message) : this([new Diagnostic(location, message)]) { }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}
