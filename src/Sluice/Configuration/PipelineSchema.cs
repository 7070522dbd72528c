namespace Sluice.Configuration;

/// <summary>The pipeline file's JSON Schema and Markdown reference, generated from the component declarations.</summary>
public static class PipelineSchema
{
    public static string JsonSchema() => throw new NotImplementedException();

    public static string Markdown() => throw new NotImplementedException();
}
