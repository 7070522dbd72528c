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

    /// <summary>The expression with every reference replaced by its value as a string, never as expression text, so a
    /// value cannot change what the expression means: inside a quoted string or name the value goes in with its quotes
    /// doubled; elsewhere it goes in as a string literal (<c>day = ${params.day}</c> reads <c>day = '2024-01-31'</c>).
    /// Null, with <paramref name="missing"/> set, when one names a parameter that was not given.</summary>
    public static string? ExpandInExpression(string expression, IReadOnlyDictionary<string, string> parameters, out string? missing)
    {
        missing = null;
        if (!expression.Contains("${params.", StringComparison.Ordinal))
        {
            return expression;
        }
        var text = new System.Text.StringBuilder(expression.Length);
        char quote = '\0'; // the quote of the string or name the scan is inside, if any
        for (int i = 0; i < expression.Length;)
        {
            var match = Reference().Match(expression, i);
            int next = match.Success ? match.Index : expression.Length;
            for (; i < next; i++)
            {
                char c = expression[i];
                if (quote == '\0' && c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == quote)
                {
                    // A doubled quote stays inside; the scan sees it as leaving and entering again.
                    quote = '\0';
                }
                text.Append(c);
            }
            if (!match.Success)
            {
                break;
            }
            if (!parameters.TryGetValue(match.Groups["name"].Value, out var value))
            {
                missing = match.Groups["name"].Value;
                return null;
            }
            text.Append(quote == '\0' ? $"'{value.Replace("'", "''", StringComparison.Ordinal)}'"
                : value.Replace(quote.ToString(), new string(quote, 2), StringComparison.Ordinal));
            i = match.Index + match.Length;
        }
        return text.ToString();
    }

    [GeneratedRegex(@"\$\{params\.(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
