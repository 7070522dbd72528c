using Sluice.Pipelines;

namespace Sluice.Cli.Documents;

/// <summary><c>sluice validate --json</c> (docs/json/validate.schema.json): <see cref="Pipeline"/> and
/// <see cref="Stages"/> are set when the file is valid; otherwise every problem is listed.</summary>
internal sealed record ValidateDocument(bool Valid, string? Pipeline, IReadOnlyList<string> Stages, IReadOnlyList<ProblemPart> Problems);

/// <summary>One problem of a pipeline file; file, line and column are null for one that has no place (rare: the
/// graph as a whole).</summary>
internal sealed record ProblemPart(string? File, int? Line, int? Column, string Message)
{
    public static IReadOnlyList<ProblemPart> Of(IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics.Select(d => new ProblemPart(d.Location?.File, d.Location?.Line, d.Location?.Column, d.Message))];
}
