using Sluice.Pipelines;

namespace Sluice.Configuration;

/// <summary>Reads pipeline files (YAML) into <see cref="PipelineDefinition"/>s.</summary>
public static class PipelineFile
{
    /// <summary>Loads and checks a pipeline file: keys, value types, expressions against the schema.
    /// Throws <see cref="PipelineException"/> listing every problem with its <c>file:line:column</c>.</summary>
    public static PipelineDefinition Load(string path) => throw new NotImplementedException(path);
}
