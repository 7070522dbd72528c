using Sluice.Pipelines;

namespace Sluice.Connectors.Http;

/// <summary>Replaces <c>${env:NAME}</c> (or <c>${env:NAME:-default}</c>) in configuration values by environment variables. The values it returns are
/// secrets: they go into requests and nowhere else (no message, log or state row repeats them).</summary>
internal static class SecretText
{
    /// <summary>The values with their references replaced; as written when the context only checks the pipeline.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> values, BuildContext context) =>
        context.ResolveSecrets ? values.ToDictionary(e => e.Key, e => Resolve(e.Key, e.Value)) : values;

    private static string Resolve(string key, string value) =>
        EnvironmentReferences.Expand(value, out string? missing)
        ?? throw new PipelineException(null, $"header '{key}' needs the environment variable {missing}, which is not set");
}
