using System.CommandLine;
using System.Globalization;
using Sluice.Configuration;

namespace Sluice.Cli.Commands;

/// <summary><c>--since</c> of the dlq commands: a time (<c>2026-11-23</c>, <c>2026-11-23T08:00:00Z</c>; UTC unless
/// it says otherwise) or how long ago (<c>30m</c>, <c>2h</c>, <c>7d</c>).</summary>
internal static class SinceOption
{
    public static Option<string?> Create()
    {
        var since = new Option<string?>("--since")
        {
            Description = "Only dead letters stored since this time (UTC, e.g. 2026-11-23 or 2026-11-23T08:00:00Z) or this long ago (30m, 2h, 7d).",
            HelpName = "TIME",
        };
        since.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && Parse(text, DateTimeOffset.UtcNow) is null)
                result.AddError($"--since takes a time such as 2026-11-23 or 2026-11-23T08:00:00Z, or a duration such as 30m, 2h or 7d; not '{text}'");
        });
        return since;
    }

    public static DateTimeOffset? Value(ParseResult parsed, Option<string?> since) =>
        parsed.GetValue(since) is { } text ? Parse(text, DateTimeOffset.UtcNow) : null;

    internal static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        if (DurationText.TryParse(text, out var ago))
            return ago <= now - DateTimeOffset.MinValue ? now - ago : null; // 3000000d ago is before year 1
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }
}
