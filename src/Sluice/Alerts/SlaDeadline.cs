namespace Sluice.Alerts;

/// <summary>
/// <c>sla: { finish_by, time_zone }</c>: on each day, a run must have succeeded by <paramref name="FinishBy"/> local
/// time. A success counts for the first deadline at or after it ended, so each one serves one day, and the window of a
/// day is the time since the previous day's deadline (23 or 25 hours across a daylight-saving change, not 24).
/// </summary>
/// <param name="FinishBy">The local time of day.</param>
/// <param name="TimeZone">The zone the time of day is in.</param>
public sealed record SlaDeadline(TimeOnly FinishBy, TimeZoneInfo TimeZone)
{
    /// <summary>The deadline of <paramref name="day"/> (a local date). A time the clocks skip in spring is the end of
    /// the gap; a time they repeat in autumn is its first occurrence, the earlier one.</summary>
    public DateTimeOffset On(DateOnly day)
    {
        var local = day.ToDateTime(FinishBy, DateTimeKind.Unspecified);
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }
        // Of the two offsets of a repeated hour the greater one (summer time) gives the earlier instant.
        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The latest deadline at or before <paramref name="now"/>.</summary>
    public DateTimeOffset LatestAtOrBefore(DateTimeOffset now)
    {
        var today = LocalDay(now);
        return On(today) <= now ? On(today) : On(today.AddDays(-1));
    }

    /// <summary>The first deadline after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset now)
    {
        var today = LocalDay(now);
        return On(today) > now ? On(today) : On(today.AddDays(1));
    }

    /// <summary>The local date a deadline falls on: it names the day an SLA miss is for.</summary>
    public DateOnly LocalDay(DateTimeOffset time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, TimeZone).DateTime);

    /// <summary>As written in the file: <c>06:00 Europe/Paris</c>.</summary>
    public override string ToString() =>
        FinishBy.ToString(FinishBy.Second == 0 ? "HH:mm" : "HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " " + TimeZone.Id;
}
