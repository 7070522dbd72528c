using System.Globalization;
using Sluice.State;

namespace Sluice.Expectations;

/// <summary>
/// A run's expectations: the column statistics of each sink, and their evaluation when the run's final checkpoint is
/// about to commit (<see cref="Evaluate"/>). Partial counts would trip a <c>row_count</c> minimum, so intermediate
/// checkpoints evaluate nothing.
/// </summary>
internal sealed class ExpectationGate
{
    private readonly IReadOnlyList<Expectation> _expectations;
    private readonly Func<DateTimeOffset> _now;

    /// <param name="sinks">Each sink's name and schema; statistics are kept only when an expectation names a column.</param>
    public ExpectationGate(IReadOnlyList<Expectation> expectations, IEnumerable<(string Name, Apache.Arrow.Schema Schema)> sinks,
        Func<DateTimeOffset>? now = null)
    {
        _expectations = expectations;
        _now = now ?? (() => DateTimeOffset.UtcNow);
        Statistics = expectations.Any(e => e.Column is not null)
            ? sinks.ToDictionary(s => s.Name, s => new ColumnStatistics(s.Schema, expectations))
            : [];
    }

    public bool IsEmpty => _expectations.Count == 0;

    /// <summary>Whether a <c>row_count_change</c> needs <see cref="PreviousWritten"/>.</summary>
    public bool NeedsPreviousRun => _expectations.Any(e => e is RowCountChangeExpectation);

    /// <summary>Records the pipeline's previous succeeded run wrote; null when there is none.</summary>
    public long? PreviousWritten { get; set; }

    /// <summary>Per sink stage name: the statistics of what it received.</summary>
    public IReadOnlyDictionary<string, ColumnStatistics> Statistics { get; }

    /// <summary>Every expectation's result, in declaration order, once <see cref="Evaluate"/> ran; else empty.</summary>
    public IReadOnlyList<ExpectationResult> Results { get; private set; } = [];

    /// <summary>Evaluates every expectation against the run's totals and the sinks' statistics (all sinks must have
    /// ended). Returns null when none with <c>on_fail: fail</c> is breached; otherwise one line naming the first
    /// one, what was measured and the bound.</summary>
    public string? Evaluate(RunTotals totals)
    {
        var c = CultureInfo.InvariantCulture;
        var stats = Statistics.Values.ToList();
        var results = new List<ExpectationResult>(_expectations.Count);
        foreach (var expectation in _expectations)
        {
            (bool passed, string measured) = expectation switch
            {
                RowCountExpectation e => (Bounds.Within(totals.RecordsWritten, e.Min, e.Max), totals.RecordsWritten.ToString("N0", c)),
                RowCountChangeExpectation e => Change(e, totals.RecordsWritten),
                NullRatioExpectation e => NullRatio(e, stats),
                DistinctCountExpectation e => Distinct(e, stats),
                FreshnessExpectation e => Freshness(e, stats),
                _ => throw new InvalidOperationException($"internal error: unknown expectation {expectation.GetType().Name}"),
            };
            results.Add(new ExpectationResult(expectation.Describe(), measured, passed, expectation.OnFail));
        }
        Results = results;
        return results.FirstOrDefault(r => r.Outcome == "FAILED") is { } failed
            ? $"quality gate failed: expectation {failed.Expectation} not met: measured {failed.Measured}"
            : null;
    }

    private (bool, string) Change(RowCountChangeExpectation e, long written)
    {
        var c = CultureInfo.InvariantCulture;
        if (PreviousWritten is not { } previous)
        {
            return (true, string.Format(c, "{0:N0} records; no previous succeeded run to compare with", written));
        }
        double percent = previous == 0 ? (written == 0 ? 0 : double.PositiveInfinity) : 100.0 * (written - previous) / previous;
        return (Math.Abs(percent) <= e.MaxPercent, string.Format(c, "{0:+0.##;-0.##;0} % ({1:N0} vs {2:N0})", percent, written, previous));
    }

    private static (bool, string) NullRatio(NullRatioExpectation e, List<ColumnStatistics> stats)
    {
        long nulls = stats.Sum(s => s.Nulls(e.ColumnName));
        long rows = stats.Sum(s => s.Rows);
        double ratio = rows == 0 ? 0 : (double)nulls / rows;
        return (ratio <= e.Max, string.Format(CultureInfo.InvariantCulture, "{0:0.####} ({1:N0} of {2:N0})", ratio, nulls, rows));
    }

    private static (bool, string) Distinct(DistinctCountExpectation e, List<ColumnStatistics> stats)
    {
        // Several sinks may receive the same values (fan-out): they count once.
        long count = stats.Count == 1 ? stats[0].Distinct(e.ColumnName).Count : Union(stats, e.ColumnName).Count;
        return (Bounds.Within(count, e.Min, e.Max), count.ToString("N0", CultureInfo.InvariantCulture));
    }

    private static DistinctValues Union(List<ColumnStatistics> stats, string column)
    {
        var union = new DistinctValues();
        foreach (var value in stats.SelectMany(s => s.Distinct(column).Values))
        {
            union.Add(value);
        }
        return union;
    }

    private (bool, string) Freshness(FreshnessExpectation e, List<ColumnStatistics> stats)
    {
        var newest = stats.Select(s => s.Newest(e.ColumnName)).Max();
        if (newest is not { } value)
        {
            return (false, "no value");
        }
        var age = _now() - value;
        string text = age < TimeSpan.Zero ? "in the future" : AgeText.Of(age) + " old";
        return (age <= e.MaxAge, $"newest {value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, {text}");
    }
}
