using System.CommandLine;
using System.Globalization;
using Sluice.Configuration;

namespace Sluice.Cli.Commands;

/// <summary><c>--progress-interval</c> of <c>run</c>: how often a run without a live table prints a progress line;
/// seconds (<c>10</c>, <c>0.5</c>) or a duration (<c>500ms</c>, <c>1m</c>); <c>0</c> turns the lines off.</summary>
internal static class ProgressIntervalOption
{
    /// <summary>Often enough that a service log shows life, rarely enough not to flood it.</summary>
    private static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static Option<TimeSpan> Create() => new("--progress-interval")
    {
        Description = "When stdout is not a terminal (or with --json), print a progress line this often: seconds (10, 0.5) or a duration (500ms, 1m); 0 = none. Default: 10.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => Default,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Parse(text) is { } interval)
                return interval;
            result.AddError($"--progress-interval takes a number of seconds from 0 to 86400 (10, 0.5), or a duration up to a day (500ms, 1m, 24h); not '{text}'");
            return TimeSpan.Zero;
        },
    };

    /// <summary>The longest interval: a progress line less than daily is no sign of life, and the timer behind
    /// it cannot wait much past 49 days anyway.</summary>
    internal static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    internal static TimeSpan? Parse(string text)
    {
        TimeSpan? interval = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds)
            ? (seconds <= Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null)
            : (DurationText.TryParse(text, out TimeSpan duration) ? duration : null);
        return interval <= Longest ? interval : null;
    }
}
