namespace Sluice.Cli.Documents;

/// <summary>What stdout gets with <c>--json</c> when a command fails before it has a document of its own (bad usage,
/// no such run, an invalid pipeline file for <c>run</c>), so that a script reading stdout never gets nothing
/// (docs/json/error.schema.json). The same message is on stderr as <c>error: …</c>.</summary>
internal sealed record ErrorDocument(ErrorPart Error);

/// <summary><see cref="Problems"/>: the pipeline file's problems, when that is what is wrong (else empty).</summary>
internal sealed record ErrorPart(string Message, int ExitCode, IReadOnlyList<ProblemPart> Problems);
