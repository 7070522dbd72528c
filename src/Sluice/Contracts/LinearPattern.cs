using System.Text.RegularExpressions;

namespace Sluice.Contracts;

/// <summary>
/// Builds a contract's <c>pattern</c> on .NET's non-backtracking engine, whose matching time is linear in the
/// value's length whatever the pattern: a pattern such as <c>^(a+)+$</c> cannot stall a run on a hostile value, so
/// no match needs a timeout and every value gets a verdict. Constructs that need backtracking (lookarounds,
/// backreferences, atomic groups, conditionals) and patterns whose automaton would be too large are refused when the
/// pipeline is built; docs/decisions.md says why refusing beats a per-value timeout.
/// </summary>
internal static class LinearPattern
{
    // Options a user's Regex may carry that do not change which values match under the linear engine, or do so
    // in a way it supports; Compiled is dropped (the engine has its own), RightToLeft and ECMAScript are refused by it.
    private const RegexOptions Kept = RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.Singleline
        | RegexOptions.ExplicitCapture | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant
        | RegexOptions.RightToLeft | RegexOptions.ECMAScript;

    /// <summary>The pattern on the linear engine, or null and what is wrong with it.</summary>
    public static Regex? TryCreate(string pattern, RegexOptions options, out string? problem)
    {
        try
        {
            problem = null;
            return new Regex(pattern, (options & Kept) | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException e)
        {
            problem = $"pattern '{pattern}' cannot be matched in linear time: {Unsupported(e.Message)}; "
                + "rewrite it without lookarounds, backreferences, atomic groups or conditionals (Sluice never backtracks, "
                + "so one hostile value cannot stall a run)";
        }
        catch (ArgumentException e)
        {
            problem = $"bad regex '{pattern}': {e.Message}";
        }
        return null;
    }

    /// <summary>.NET names the construct after "containing: "; the size limit has its own message.</summary>
    private static string Unsupported(string message)
    {
        const string marker = "containing: ";
        int at = message.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? message.TrimEnd('.') : "it uses " + message[(at + marker.Length)..].TrimEnd('.');
    }
}
