using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Extensibility;

/// <summary>An assembly a pipeline file lists under <c>plugins:</c>: its full path, and where the file names it
/// (for errors about it).</summary>
public sealed record PluginReference(string Path, SourceLocation? Location);
