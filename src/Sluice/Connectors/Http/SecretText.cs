using System.Text.RegularExpressions;
using Sluice.Pipelines;

namespace Sluice.Connectors.Http;

/// <summary>Replaces <c>${env:NAME}</c> in configuration values by environment variables. The values it returns are
/// secrets: they go into requests and nowhere else (no message, log or state row repeats them).</summary>
internal static partial class SecretText
{
    /// <summary>The values with their references replaced; as written when the context only checks the pipeline.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> values, BuildContext context) =>
        context.ResolveSecrets ? values.ToDictionary(e => e.Key, e => Resolve(e.Key, e.Value)) : values;

    private static string Resolve(string key, string value) => Reference().Replace(value, match =>
        Environment.GetEnvironmentVariable(match.Groups[1].Value)
        ?? throw new PipelineException(null, $"header '{key}' needs the environment variable {match.Groups[1].Value}, which is not set"));

    [GeneratedRegex(@"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
