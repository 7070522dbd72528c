using Cronos;

namespace Sluice.Flows;

/// <summary>
/// When <c>sluice serve</c> (<see cref="FlowServer"/>) starts a flow's runs: the slots of a cron expression in a time
/// zone. Daylight saving is handled as Cronos does: a slot in the hour skipped in spring runs at the end of the gap
/// (02:30 → 03:00), a slot in the hour repeated in autumn runs once, at its first occurrence (an expression with a
/// step or <c>*</c> in its hour or minute field, such as <c>*/15 * * * *</c>, runs in both).
/// </summary>
public sealed class FlowSchedule
{
    private readonly CronExpression _expression;

    private FlowSchedule(string cron, CronExpression expression, TimeZoneInfo timeZone, CatchUp catchUp)
    {
        Cron = cron;
        _expression = expression;
        TimeZone = timeZone;
        CatchUp = catchUp;
    }

    /// <summary>The cron expression as written: five fields (minute hour day month weekday) or six with seconds first.</summary>
    public string Cron { get; }

    /// <summary>The zone the expression's hours are in. The default value is UTC.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <inheritdoc cref="Flows.CatchUp"/>
    public CatchUp CatchUp { get; }

    /// <summary>A schedule from a cron expression and an IANA time zone id (<c>Europe/Paris</c>; UTC when null).</summary>
    /// <exception cref="ArgumentException">The expression or the time zone is not valid; the message says what to write.</exception>
    public static FlowSchedule Parse(string cron, string? timeZone = null, CatchUp catchUp = CatchUp.Latest)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var expression = ParseCron(cron, out string? cronProblem);
        var zone = FindTimeZone(timeZone ?? "UTC", out string? zoneProblem);
        return expression is null || zone is null
            ? throw new ArgumentException(cronProblem ?? zoneProblem)
            : new FlowSchedule(cron, expression, zone, catchUp);
    }

    internal static FlowSchedule Of(string cron, CronExpression expression, TimeZoneInfo timeZone, CatchUp catchUp) =>
        new(cron, expression, timeZone, catchUp);

    internal static CronExpression? ParseCron(string cron, out string? problem)
    {
        problem = null;
        var format = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            var expression = CronExpression.Parse(cron, format);
            // A date that never comes (30 February) parses: `serve` would wait for ever without a word.
            if (expression.GetNextOccurrence(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)) is null)
            {
                problem = $"'{cron}' never fires (no date has that day in that month): check its day and month fields";
                return null;
            }
            return expression;
        }
        catch (CronFormatException e)
        {
            problem = $"'{cron}' is not a cron expression ({e.Message.TrimEnd('.')}): write five fields, minute hour day month weekday " +
                "(\"0 2 * * *\": every day at 02:00), or six with seconds first";
            return null;
        }
    }

    internal static TimeZoneInfo? FindTimeZone(string id, out string? problem)
    {
        problem = null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problem = $"unknown time zone '{id}': write an IANA time zone id such as UTC, Europe/Paris or America/New_York";
            return null;
        }
    }

    /// <summary>The first slot after <paramref name="after"/>, in UTC; null when the expression has none (30 February).</summary>
    internal DateTimeOffset? NextSlot(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), TimeZone)?.ToUniversalTime();

    /// <summary>The slots after <paramref name="after"/> up to <paramref name="until"/> included, oldest first.</summary>
    internal IEnumerable<DateTimeOffset> SlotsBetween(DateTimeOffset after, DateTimeOffset until)
    {
        for (var slot = NextSlot(after); slot is { } s && s <= until; slot = NextSlot(s))
        {
            yield return s;
        }
    }

    public override string ToString() => $"'{Cron}' ({TimeZone.Id}, catch up: {CatchUp.ToString().ToLowerInvariant()})";
}
