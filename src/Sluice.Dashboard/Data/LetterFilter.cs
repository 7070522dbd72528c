using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.DeadLetters;

namespace Sluice.Dashboard.Data;

/// <summary>The dead-letter browser's filters, as the query string (or a form) gives them: the same names on the
/// pages, in the API and in the hidden fields that carry a selection to replay or purge.</summary>
internal sealed record LetterFilter(string? Pipeline, string? Run, string? Reason, string? Stage, string? Field,
    DateTimeOffset? Since, DateTimeOffset? Until)
{
    public static readonly string[] Names = ["pipeline", "run", "reason", "stage", "field", "since", "until"];

    public bool IsEmpty => this == new LetterFilter(null, null, null, null, null, null, null);

    /// <summary>Reads the filters; a value that is not one (an unknown reason, a time that is not ISO 8601) is an
    /// error the page shows, not an empty result.</summary>
    /// <exception cref="FormatException">A value is not valid; the message says which and what it takes.</exception>
    public static LetterFilter From(Func<string, string?> value) => new(
        Text(value("pipeline")), Text(value("run")), ReasonCode(Text(value("reason"))), Text(value("stage")), Text(value("field")),
        Time(value("since"), "since"), Time(value("until"), "until"));

    public static LetterFilter From(IQueryCollection query) => From(name => query[name].FirstOrDefault());

    public static LetterFilter From(IFormCollection form) => From(name => form[name].FirstOrDefault());

    public DeadLetterQuery ToQuery(int limit = 100) =>
        new(Pipeline, Run, Reason is null ? null : DeadLetterReasons.TryParse(Reason, out var r) ? r : null, Stage, limit)
        {
            Since = Since,
            Until = Until,
            Field = Field,
        };

    /// <summary>The filters as name/value pairs, for links and hidden fields (unset ones left out).</summary>
    public IEnumerable<(string Name, string Value)> Pairs()
    {
        string?[] values = [Pipeline, Run, Reason, Stage, Field, Format(Since), Format(Until)];
        for (int i = 0; i < Names.Length; i++)
        {
            if (values[i] is { } v)
                yield return (Names[i], v);
        }
    }

    public string Describe() =>
        IsEmpty ? "dead letters (no filter)" : "dead letters with " + string.Join(", ", Pairs().Select(p => $"{p.Name} {p.Value}"));

    public static string? Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? ReasonCode(string? code) =>
        code is null || DeadLetterReasons.TryParse(code, out _)
            ? code
            : throw new FormatException($"unknown reason '{code}'; reasons: {string.Join(", ", Enum.GetValues<DeadLetterReason>().Select(r => r.Code()))}");

    /// <summary>ISO 8601; without an offset it is UTC (as every time the dashboard shows). A date alone is its midnight.</summary>
    private static DateTimeOffset? Time(string? text, string name)
    {
        if (Text(text) is not { } t)
            return null;
        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new FormatException($"{name}: '{t}' is not a time; write it as 2026-12-06 or 2026-12-06T05:00:00Z");
    }
}
