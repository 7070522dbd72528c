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
    /// <exception cref="PipelineException">A header's name or value cannot be sent (<see cref="HeaderProblem"/>).</exception>
    public static IReadOnlyDictionary<string, string> Headers(ConfigNode node)
    {
        if (node["headers"] is not { } headers)
            return new Dictionary<string, string>();
        foreach (var (name, value) in headers.Entries)
        {
            if (HeaderProblem(name, value.Text) is { } problem)
                throw new PipelineException(value.Location, problem);
        }
        return headers.Entries.ToDictionary(e => e.Key, e => e.Value.Text);
    }

    /// <summary>Why a header cannot be sent, or null. HttpClient's TryAddWithoutValidation drops a name that is not
    /// an HTTP token without a word, so a typo such as "X Api Key" would silently send no key at all; a line break in
    /// a value would end the header early. The value is never quoted: a header often holds a secret.</summary>
    public static string? HeaderProblem(string name, string value)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
            return $"header name '{name}' is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no spaces or colons)";
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            return $"header '{name}': a value cannot hold a line break or NUL";
        return null;
    }

    // RFC 9110 section 5.6.2: tchar.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
