using System.Globalization;

namespace Sluice.Flows;

/// <summary>
/// A flow's partitions: one per calendar day from <see cref="From"/> (to <see cref="To"/> when given), each named by
/// its date, <c>2024-01-31</c>: the run's <c>${partition}</c>. A partition is computed by its own flow run, so a day
/// can be run again, backfilled (<see cref="FlowBackfill"/>) or scheduled without touching the others. Daily only for
/// now: the partitions most data lands in, and the ones a nightly schedule computes.
/// </summary>
public sealed record FlowPartitions
{
    private const string DateFormat = "yyyy-MM-dd";

    private FlowPartitions(DateOnly from, DateOnly? to)
    {
        From = from;
        To = to;
    }

    /// <summary>The first day.</summary>
    public DateOnly From { get; }

    /// <summary>The last day; null for partitions that go on with the calendar.</summary>
    public DateOnly? To { get; }

    /// <summary>One partition per day from <paramref name="from"/> to <paramref name="to"/> (both included).</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public static FlowPartitions Daily(DateOnly from, DateOnly? to = null) =>
        to < from ? throw new ArgumentException($"partitions end ({Key(to.Value)}) before they start ({Key(from)})", nameof(to)) : new(from, to);

    /// <summary>Reads <c>daily from 2024-01-01</c> or <c>daily from 2024-01-01 to 2024-12-31</c>.</summary>
    internal static FlowPartitions? Parse(string text, out string? problem)
    {
        problem = null;
        string[] words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        const string Write = "write `daily from 2024-01-01` (optionally followed by `to 2024-12-31`)";
        if (words is not (["daily", "from", _] or ["daily", "from", _, "to", _]))
        {
            problem = words.Length > 0 && words[0] != "daily"
                ? $"partitions: '{words[0]}' partitions are not supported, only daily ones: {Write}"
                : $"partitions: '{text}' is not a partitioning: {Write}";
            return null;
        }
        string? notADate = words.Where((w, i) => i % 2 == 0 && i > 0 && !TryParseDate(w, out _)).FirstOrDefault();
        if (notADate is not null)
        {
            problem = $"partitions: '{notADate}' is not a date: write it as YYYY-MM-DD (2024-01-31)";
            return null;
        }
        TryParseDate(words[2], out var from);
        DateOnly? to = words.Length == 5 && TryParseDate(words[4], out var end) ? end : null;
        if (to < from)
        {
            problem = $"partitions: the last day ({Key(to.Value)}) is before the first ({Key(from)})";
            return null;
        }
        return new FlowPartitions(from, to);
    }

    internal static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The partition's name: its date, <c>2024-01-31</c>.</summary>
    public static string Key(DateOnly day) => day.ToString(DateFormat, CultureInfo.InvariantCulture);

    public bool Contains(DateOnly day) => day >= From && (To is null || day <= To);

    /// <summary>
    /// The partition a run scheduled for <paramref name="slot"/> computes: the day before the slot's date in the
    /// schedule's time zone. A nightly run (<c>0 2 * * *</c>) computes the day that has just ended, whose data is
    /// complete. The date is the schedule's, not UTC's: a run at 00:30 Paris time on 1 March computes 29 February,
    /// although it starts at 23:30 UTC on the 29th.
    /// </summary>
    internal static DateOnly ForSlot(DateTimeOffset slot, TimeZoneInfo timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, timeZone).DateTime).AddDays(-1);

    public override string ToString() => $"daily from {Key(From)}" + (To is { } to ? $" to {Key(to)}" : "");
}
