using Cronos;

namespace Sluice.Hosting;

/// <summary>When a hosted pipeline runs: <see cref="Once"/> at start, <see cref="Continuous"/>ly following its
/// input, or at the slots of a <see cref="Cron"/> expression.</summary>
public sealed class PipelineSchedule
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _timeZone;
    private readonly string _text;

    private PipelineSchedule(ScheduleKind kind, string text, CronExpression? cron = null, TimeZoneInfo? timeZone = null)
    {
        Kind = kind;
        _text = text;
        _cron = cron;
        _timeZone = timeZone ?? TimeZoneInfo.Utc;
    }

    /// <summary>One run when the host starts — resuming the pipeline's unfinished run as <c>sluice run</c> does — and
    /// nothing after it.</summary>
    public static PipelineSchedule Once { get; } = new(ScheduleKind.Once, "once");

    /// <summary>One run that never ends on its own (<c>sluice run --follow</c>): file sources poll for new files until
    /// the host stops. A run that fails is started again (resumed) after <see cref="PipelineOptions.RetryDelay"/>.</summary>
    public static PipelineSchedule Continuous { get; } = new(ScheduleKind.Continuous, "continuous");

    /// <summary>A run at every slot of <paramref name="expression"/>: five fields (<c>*/5 * * * *</c>, minutes) or six
    /// with seconds first (<c>*/10 * * * * *</c>), in <paramref name="timeZone"/> (the default value is UTC), daylight
    /// saving handled as Cronos does. A slot that comes while the previous run still goes on is skipped (and logged):
    /// runs never overlap.</summary>
    /// <exception cref="ArgumentException">The expression is not a valid cron expression.</exception>
    public static PipelineSchedule Cron(string expression, TimeZoneInfo? timeZone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var format = expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            var cron = CronExpression.Parse(expression, format);
            return new(ScheduleKind.Cron, $"cron '{expression}' ({(timeZone ?? TimeZoneInfo.Utc).Id})", cron, timeZone);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException(
                $"invalid cron expression '{expression}': {e.Message} Write five fields (minute hour day month weekday) or six with seconds first.",
                nameof(expression), e);
        }
    }

    internal ScheduleKind Kind { get; }

    /// <summary>The first slot after <paramref name="after"/>; null when the expression has none (30 February).</summary>
    internal DateTimeOffset? NextSlot(DateTimeOffset after) =>
        (_cron ?? throw new InvalidOperationException($"a {_text} schedule has no slots")).GetNextOccurrence(after, _timeZone);

    public override string ToString() => _text;
}

internal enum ScheduleKind
{
    Once,
    Continuous,
    Cron,
}
