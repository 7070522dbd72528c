using System.Globalization;
using Sluice.Configuration;
using Sluice.Expectations;

namespace Sluice.Alerts;

/// <summary>
/// Whether a promise is broken at a moment, from facts read from the state file; no clock and no I/O, so that every
/// edge (just inside, just past, a daylight-saving day) is tested exactly.
/// <para><c>watchedSince</c> in each rule is when the subject began to be judged: its first run's start, or,
/// for a subject that never ran, when the monitor started. A subject is not blamed for what came before it existed.</para>
/// </summary>
internal static class AlertRules
{
    /// <summary>When the data become too old: <paramref name="limit"/> after the newest data, or after
    /// <paramref name="watchedSince"/> when there are none. A miss is an age above the limit, not equal to it.</summary>
    public static DateTimeOffset FreshnessDue(TimeSpan limit, DateTimeOffset? newest, DateTimeOffset watchedSince) =>
        (newest ?? watchedSince) + limit;

    public static AlertMiss? Freshness(AlertSubjectKind kind, string subject, TimeSpan limit, DateTimeOffset? newest,
        DateTimeOffset watchedSince, DateTimeOffset now)
    {
        var due = FreshnessDue(limit, newest, watchedSince);
        if (now <= due)
            return null;
        string expected = DurationText.Format(limit);
        // The newest data judged is in the key: once newer data come, a later staleness is a new miss.
        string key = $"freshness:{Code(kind)}:{subject}:{(newest is { } n ? State.Sqlite.SqliteValues.Timestamp(n) : "none")}";
        string what = kind == AlertSubjectKind.Flow ? "succeeded run ended" : "committed records at";
        string detail = newest is { } newestData
            ? $"{Name(kind, subject)} is stale: its newest data ({what} {Utc(newestData)}) are {AgeText.Of(now - newestData)} old, more than its freshness {expected}"
            : $"{Name(kind, subject)} is stale: it has no data at all ({(kind == AlertSubjectKind.Flow ? "no succeeded run" : "no checkpoint committed records")}) after {expected}, since {Utc(watchedSince)}";
        return new AlertMiss(kind, subject, AlertKind.Freshness, key, expected, due, newest, detail);
    }

    /// <summary>The miss of the day whose deadline is <paramref name="deadline"/> (the latest at or before
    /// <paramref name="now"/>), given the end of the newest success at or before it. A success counts for the first
    /// deadline at or after it ended, so it must have ended after the previous day's deadline.</summary>
    public static AlertMiss? Sla(AlertSubjectKind kind, string subject, SlaDeadline sla, DateTimeOffset deadline,
        DateTimeOffset? lastSuccess, DateTimeOffset watchedSince, DateTimeOffset now)
    {
        if (now < deadline || deadline <= watchedSince)
            return null;
        var day = sla.LocalDay(deadline);
        var previous = sla.On(day.AddDays(-1));
        if (lastSuccess is { } success && success > previous)
            return null;
        string dayText = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string last = lastSuccess is { } l ? $"its last success ended {Utc(l)}" : "it never succeeded";
        string detail = $"{Name(kind, subject)} missed its SLA: no run succeeded by {sla} on {dayText} (deadline {Utc(deadline)}); {last}";
        return new AlertMiss(kind, subject, AlertKind.Sla, $"sla:{Code(kind)}:{subject}:{dayText}", sla.ToString(), deadline, lastSuccess, detail);
    }

    public static string Code(AlertSubjectKind kind) => kind == AlertSubjectKind.Flow ? "flow" : "pipeline";

    public static string Code(AlertKind kind) => kind == AlertKind.Sla ? "sla" : "freshness";

    public static string Name(AlertSubjectKind kind, string subject) => $"{Code(kind)} '{subject}'";

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
