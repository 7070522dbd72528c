using System.Globalization;
using Sluice.State;

namespace Sluice.Cli.Rendering;

/// <summary>How numbers, durations and times read in every table, so that all commands agree.</summary>
internal static class Format
{
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Where a run's <paramref name="counted"/> dead letters are: <paramref name="list"/> (the command that
    /// lists them) when all are queued. Letters are stored with the checkpoint that covers them, so those of a
    /// checkpoint that was not committed (a broken gate, a failure) are not, and the run that goes on judges their
    /// records again.</summary>
    public static string DeadLetters(long counted, long queued, string list) =>
        queued == counted ? $"dead letters: {list}"
        : queued == 0 ? $"dead letters: none of the {Count(counted)} is queued: they belong to a checkpoint that was not committed, and the next run judges their records again"
        : $"dead letters: {Count(queued)} of the {Count(counted)} are queued ({list}); the others belong to a checkpoint that was not committed, and the next run judges their records again";

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "",
        { TotalMilliseconds: < 1000 } d => $"{d.TotalMilliseconds:0} ms",
        { TotalSeconds: < 60 } d => d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        { TotalHours: < 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        { } d => $"{(int)d.TotalHours} h {d.Minutes} min",
    };

    public static string Utc(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    public static string Rate(long records, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? "" : Count((long)(records / elapsed.TotalSeconds));

    /// <summary>The lower-case word for a state, as users type it and as it reads in sentences.</summary>
    public static string State(RunState state) => state.Word();

    /// <summary>Each sink's <c>in = out + dead + filtered</c> along its paths (one line, unprefixed, for a single
    /// sink), then, for each sink that wrote records no checkpoint published, how many are in the output. Runs stored
    /// before the graph was kept have no balances: their run totals stand in.</summary>
    public static IEnumerable<string> Balances(RunRecord run, IReadOnlyList<SinkBalance> balances)
    {
        if (balances.Count == 0)
        {
            yield return Reconciliation(run);
            yield break;
        }
        foreach (SinkBalance b in balances)
        {
            string sink = balances.Count > 1 ? $"sink {b.Sink}: " : "";
            yield return $"{sink}in {Count(b.In)} {(b.Balances ? "=" : "≠")} out {Count(b.Out)} + dead {Count(b.DeadLettered)} + filtered {Count(b.Filtered)}";
        }
        foreach (SinkBalance b in balances.Where(b => b.Published != b.Out))
        {
            string sink = balances.Count > 1 ? $" by sink {b.Sink}" : "";
            yield return $"published {Count(b.Published)} of the {Count(b.Out)} records out{sink}: the rest were written after the last checkpoint and are not in the output";
        }
    }

    /// <summary>The run totals as an equation: it holds exactly for a chain with one sink.</summary>
    public static string Reconciliation(RunRecord run)
    {
        bool balances = run.RecordsRead == run.RecordsWritten + run.DeadLettered + run.Filtered;
        return $"in {Count(run.RecordsRead)} {(balances ? "=" : "≠")} out {Count(run.RecordsWritten)} + dead {Count(run.DeadLettered)} + filtered {Count(run.Filtered)}";
    }
}
