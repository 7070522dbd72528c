using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Sluice.Cli.Commands;

/// <summary>Options several commands share, declared once so their names and help read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> State() => new("--state")
    {
        Description = $"The state file (SQLite). Default: ${StatePaths.EnvironmentVariable}, else .sluice/state.db beside the pipeline file (run) or in the current folder.",
        HelpName = "PATH",
    };

    public static Option<string?> Pipeline() => new("--pipeline")
    {
        Description = "Only this pipeline (its name).",
        HelpName = "NAME",
    };

    /// <summary><c>--json</c>: one JSON document on stdout instead of tables (docs/json/ has its schema).</summary>
    public static Option<bool> Json(string what) => new("--json")
    {
        Description = $"Print {what} as one JSON document (for scripts; schema in docs/json/). Errors are then a JSON document too, besides the error: line on stderr.",
    };

    public static Option<int> Limit(int defaultValue) => new("--limit")
    {
        Description = "At most this many rows, newest first.",
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => WholeNumber(result, "--limit", "a number of rows", min: 1, max: int.MaxValue) is { } n ? (int)n : 0,
    };

    /// <summary>The single token of <paramref name="result"/> as a whole number in [min, max]; otherwise null after
    /// adding an error that names the option, the value and what it takes. A parser of its own rather than
    /// System.CommandLine's conversion plus a validator: a validator that reads a value that failed to convert
    /// throws (a stack trace, not an error), and the conversion's message names a .NET type, not a number range.</summary>
    public static long? WholeNumber(ArgumentResult result, string name, string what, long min, long max)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            return value;
        string range = max == long.MaxValue || max == int.MaxValue ? $"{min} or more" : $"from {min} to {max}";
        result.AddError($"{name} takes {what}, a whole number {range}; not '{text}'");
        return null;
    }
}
