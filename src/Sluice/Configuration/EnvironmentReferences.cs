using System.Text.RegularExpressions;
using Sluice.Configuration;

namespace Sluice.Extensibility;

/// <summary>
/// <c>${env:NAME}</c> and <c>${env:NAME:-default}</c> in option values: replaced by the environment variable, or by
/// the default when the variable is unset or empty (as a POSIX shell's <c>${NAME:-default}</c> does). Plain options are
/// replaced when the file is loaded; options marked secret (<see cref="OptionSpec.Secret"/>) keep the reference
/// until the run starts, so that a secret is never in a message, a log or the state.
/// </summary>
public static partial class EnvironmentReferences
{
    /// <summary>The text with every reference replaced; null, with <paramref name="missing"/> set, when a referenced
    /// variable is unset and has no default.</summary>
    public static string? Expand(string text, out string? missing)
    {
        missing = null;
        if (!text.Contains("${env:", StringComparison.Ordinal))
        {
            return text;
        }
        string? unset = null;
        string expanded = Reference().Replace(text, match =>
        {
            string? value = Environment.GetEnvironmentVariable(match.Groups["name"].Value);
            if (match.Groups["default"].Success)
            {
                return string.IsNullOrEmpty(value) ? match.Groups["default"].Value : value;
            }
            if (value is not null)
            {
                return value;
            }
            unset ??= match.Groups["name"].Value;
            return "";
        });
        missing = unset;
        return unset is null ? expanded : null;
    }

    [GeneratedRegex(@"\$\{env:(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?<default>[^}]*))?\}")]
    private static partial Regex Reference();
}
