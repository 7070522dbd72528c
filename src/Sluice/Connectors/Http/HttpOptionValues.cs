using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Connectors.Http;

/// <summary>What the http source and sink read alike from their options.</summary>
internal static class HttpOptionValues
{
    /// <summary>The absolute http or https URL under <paramref name="key"/>.</summary>
    public static Uri Url(ConfigNode node, string key = "url")
    {
        string url = node.GetString(key)!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new PipelineException(node[key]!.Location, $"{key} must be an absolute http or https URL; found '{url}'");
        }
        return uri;
    }

    /// <summary>The <c>headers</c> map, as written (secrets unresolved).</summary>
    public static IReadOnlyDictionary<string, string> Headers(ConfigNode node) =>
        node["headers"]?.Entries.ToDictionary(e => e.Key, e => e.Value.Text) ?? new Dictionary<string, string>();
}
