using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sluice.Bench.Micro;

/// <summary>
/// Columns that turn whole-run figures into per-record ones: (value of this run − value of the 0-row run of the
/// same benchmark with the same other parameters) / Rows. Subtracting the 0-row run removes the fixed cost
/// (graph building, the run record in SQLite), which would otherwise dominate the per-record figure.
/// </summary>
internal sealed class PerRecordColumn : IColumn
{
    private const string Rows = nameof(EngineBenchmarks.Rows);

    private static readonly IEqualityComparer<ParameterInstance> ParameterComparer =
        EqualityComparer<ParameterInstance>.Create((a, b) => a!.Name == b!.Name && Equals(a.Value, b.Value));

    private readonly Func<Summary, BenchmarkCase, double?> _value;
    private readonly string _format;
    private readonly bool _perBatch;

    private PerRecordColumn(string name, string legend, string format, Func<Summary, BenchmarkCase, double?> value, bool perBatch = false)
    {
        _perBatch = perBatch;
        ColumnName = name;
        Legend = legend;
        _format = format;
        _value = value;
    }

    public static IColumn Time { get; } = new PerRecordColumn("ns/record", "(Mean − Mean of the 0-row run) / Rows",
        "F2", (s, c) => s[c]?.ResultStatistics?.Mean);

    public static IColumn TimePerBatch { get; } = new PerRecordColumn("ns/batch", "ns/record × BatchSize",
        "F0", (s, c) => s[c]?.ResultStatistics?.Mean, perBatch: true);

    public static IColumn Bytes { get; } = new PerRecordColumn("B/record", "(Allocated − Allocated by the 0-row run) / Rows",
        "F3", (s, c) => s[c]?.GcStats.GetBytesAllocatedPerOperation(c));

    public string Id => ColumnName;
    public string ColumnName { get; }
    public string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Parameters[Rows] is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        long rows = Convert.ToInt64(benchmarkCase.Parameters[Rows]);
        var fixedRun = summary.BenchmarksCases.FirstOrDefault(c => c.Job == benchmarkCase.Job &&
            c.Descriptor == benchmarkCase.Descriptor &&
            Convert.ToInt64(c.Parameters[Rows]) == 0 &&
            c.Parameters.Items.Where(p => p.Name != Rows).SequenceEqual(
                benchmarkCase.Parameters.Items.Where(p => p.Name != Rows), ParameterComparer));
        if (rows == 0 || fixedRun is null || _value(summary, benchmarkCase) is not { } total || _value(summary, fixedRun) is not { } fixedCost)
        {
            return "-";
        }
        double perRecord = (total - fixedCost) / rows;
        double value = _perBatch ? perRecord * Convert.ToInt64(benchmarkCase.Parameters[nameof(EngineBenchmarks.BatchSize)]) : perRecord;
        return value.ToString(_format, System.Globalization.CultureInfo.InvariantCulture);
    }
}
