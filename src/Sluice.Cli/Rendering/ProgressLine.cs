using System.Globalization;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice.Cli.Rendering;

/// <summary>The line a run without a live table prints every <c>--progress-interval</c>:
/// <c>progress: 1,234,567 records in, 45,000/s, 12 dead, lagging: sink (busy 93 %)</c>.</summary>
/// <remarks>The lagging stage is the one that was busiest (working, not waiting on its channels) during the last
/// interval: channels are bounded, so the busiest stage is the one the others wait for. A stage busy less than 1 %
/// of the time lags nothing, and the line then says <c>lagging: none</c> (a <c>--follow</c> run waiting for files).
/// A stage that works on several threads (parallel parsing) can be busy more than 100 %.</remarks>
internal static class ProgressLine
{
    /// <summary>The counts the line needs, taken at one moment.</summary>
    public sealed record Snapshot(TimeSpan Elapsed, long RecordsIn, long Dead, IReadOnlyList<(string Stage, TimeSpan Busy)> Busy)
    {
        public static Snapshot Take(IReadOnlyList<StageCounters> stages, TimeSpan elapsed) => new(
            elapsed,
            stages.Where(s => s.Kind == StageKind.Source).Sum(s => s.In),
            stages.Sum(s => s.DeadLettered),
            [.. stages.Select(s => (s.Stage, s.Busy))]);
    }

    public static string Format(Snapshot previous, Snapshot now)
    {
        double seconds = (now.Elapsed - previous.Elapsed).TotalSeconds;
        long rate = seconds <= 0 ? 0 : (long)((now.RecordsIn - previous.RecordsIn) / seconds);
        return $"progress: {Rendering.Format.Count(now.RecordsIn)} records in, {Rendering.Format.Count(rate)}/s, " +
            $"{Rendering.Format.Count(now.Dead)} dead, lagging: {Lagging(previous, now, seconds)}";
    }

    private static string Lagging(Snapshot previous, Snapshot now, double seconds)
    {
        if (seconds <= 0)
            return "none";
        var busiest = now.Busy
            .Select((stage, i) => (stage.Stage, Share: (stage.Busy - previous.Busy[i].Busy).TotalSeconds / seconds))
            .MaxBy(s => s.Share);
        return busiest.Stage is null || busiest.Share < 0.01
            ? "none"
            : $"{busiest.Stage} (busy {(busiest.Share * 100).ToString("0", CultureInfo.InvariantCulture)} %)";
    }
}
