using Sluice.Pipelines;

namespace Sluice.Connectors.Http;

/// <summary>Replaces <c>${env:NAME}</c> (or <c>${env:NAME:-default}</c>) in configuration values by environment variables. The values it returns are
/// secrets: they go into requests and nowhere else (no message, log or state row repeats them).</summary>
internal static class SecretText
{
    /// <summary>The values with their references replaced; as written when the context only checks the pipeline.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> values, BuildContext context) =>
        context.ResolveSecrets ? values.ToDictionary(e => e.Key, e => Resolve(e.Key, e.Value)) : values;

    /// <exception cref="PipelineException">A variable is not set, or its value cannot be sent in a header (a line
    /// break would end the header early): said without the value.</exception>
    private static string Resolve(string key, string value)
    {
        string resolved = EnvironmentReferences.Expand(value, out string? missing)
            ?? throw new PipelineException(null, $"header '{key}' needs the environment variable {missing}, which is not set");
        return HttpOptionValues.HeaderProblem(key, resolved) is { } problem
            ? throw new PipelineException(null, problem + " (after its environment variables were put in)")
            : resolved;
    }
}
