using Sluice.Execution;
using Sluice.State;
using Spectre.Console;

namespace Sluice.Cli.Rendering;

/// <summary>The per-stage tables: live while a run goes on, and final in summaries.</summary>
internal static class StageTable
{
    /// <summary>Counts so far, with each stage's input rate since the run started.</summary>
    public static Table Live(IReadOnlyList<StageCounters> stages, TimeSpan elapsed)
    {
        Table table = New("stage", "kind", "in", "out", "filtered", "dead", "records/s", "");
        foreach (StageCounters s in stages)
        {
            // A stage waiting out failures says so: its upstream is backing up on purpose.
            string health = s.CircuitOpen ? "[yellow]circuit open[/]" : s.Retries > 0 ? $"{s.Retries:N0} retries" : "";
            table.AddRow(
                Markup.Escape(s.Stage), Kind(s.Kind), Format.Count(s.In), Format.Count(s.Out),
                Format.Count(s.Filtered), Format.Count(s.DeadLettered), Format.Rate(s.In, elapsed), health);
        }
        return table;
    }

    /// <summary>One line per stage that had to retry, timed out or opened its circuit, for the summary and <c>show</c>.</summary>
    public static IEnumerable<string> FailureLines(IReadOnlyList<StageCounts> stages) =>
        stages.Where(s => s.HadFailures).Select(s =>
            $"stage {s.Stage}: {s.Retries:N0} retries, {s.Timeouts:N0} timeouts, circuit opened {s.CircuitOpenings:N0}× and closed {s.CircuitClosings:N0}×");

    /// <summary>Final counts; the last column says whether <c>in = out + dead + filtered</c> holds for the stage.</summary>
    public static Table Summary(IReadOnlyList<StageCounts> stages)
    {
        Table table = New("stage", "kind", "in", "out", "filtered", "dead", "busy", "");
        foreach (StageCounts s in stages)
        {
            bool balances = s.In == s.Out + s.DeadLettered + s.Filtered;
            table.AddRow(
                Markup.Escape(s.Stage), Kind(s.Kind), Format.Count(s.In), Format.Count(s.Out),
                Format.Count(s.Filtered), Format.Count(s.DeadLettered), Format.Duration(s.Busy),
                balances ? "[green]✓[/]" : "[red]✗[/]");
        }
        return table;
    }

    private static string Kind(StageKind kind) => kind.ToString().ToLowerInvariant();

    private static Table New(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string header in headers)
        {
            var column = new TableColumn(header);
            // Text columns (stage, kind) left, counts right, so digits line up.
            if (header is not ("stage" or "kind"))
                column.RightAligned();
            table.AddColumn(column);
        }
        return table;
    }
}
