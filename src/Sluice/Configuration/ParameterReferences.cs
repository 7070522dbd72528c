using System.Text.RegularExpressions;

namespace Sluice.Configuration;

/// <summary><c>${params.NAME}</c> in a pipeline file's option values: filled in when the file is loaded from the
/// parameters given (a flow task's <c>params:</c>, or <c>sluice run --param NAME=VALUE</c>), like <c>${env:NAME}</c>.</summary>
internal static partial class ParameterReferences
{
    /// <summary>The text with every reference replaced; null, with <paramref name="missing"/> set, when one names a
    /// parameter that was not given.</summary>
    public static string? Expand(string text, IReadOnlyDictionary<string, string> parameters, out string? missing)
    {
        missing = null;
        if (!text.Contains("${params.", StringComparison.Ordinal))
        {
            return text;
        }
        string? unset = null;
        string expanded = Reference().Replace(text, match =>
        {
            if (parameters.TryGetValue(match.Groups["name"].Value, out var value))
            {
                return value;
            }
            unset ??= match.Groups["name"].Value;
            return "";
        });
        missing = unset;
        return unset is null ? expanded : null;
    }

    [GeneratedRegex(@"\$\{params\.(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
