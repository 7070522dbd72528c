using System.Globalization;
using System.Text;

namespace Sluice.Bench;

/// <summary>Turns bench/run.sh's measurements into the markdown tables of docs/benchmarks.md and the data of
/// its chart. Every figure is a median over trials; a ratio between two contenders is the median of the
/// per-trial ratios (trial i's Sluice over trial i's peer), because trials run side by side (A B C A B C …) and
/// pairing them cancels most of a noisy machine's drift.</summary>
internal sealed class Report(IReadOnlyList<Measurement> all)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static readonly (string Input, string Title)[] Jobs =
    [
        ("csv", "Job 1 — CSV → contract → filter + derive → Parquet"),
        ("jsonl", "Job 2 — the same from JSON Lines"),
        ("parquet", "Job 2 — the same from Parquet"),
    ];

    public string Markdown()
    {
        var md = new StringBuilder();
        foreach (var (input, title) in Jobs)
        {
            if (Runs(input).Count > 0)
            {
                md.AppendLine($"### {title}").AppendLine().AppendLine(RowsLine(input)).AppendLine();
                ContenderTable(md, input);
            }
        }
        ScaleSection(md);
        CheckpointSection(md);
        DeadLetterSection(md);
        md.AppendLine("### Job 6 — engine overhead per record").AppendLine()
            .AppendLine("Measured with BenchmarkDotNet in [bench/Micro/](../bench/Micro/).").AppendLine();
        Targets(md);
        return md.ToString();
    }

    /// <summary>Gnuplot data for the jobs chart: one line per job and input, the median wall time of sluice,
    /// duckdb and hand (<c>?</c> where a contender did not run it).</summary>
    public string JobsChartData() => ChartData(["csv", "jsonl", "parquet", "broken-csv"], Label);

    /// <summary>Gnuplot data for the scale chart: one line per input size.</summary>
    public string ScaleChartData() => ChartData(["csv", "csv-3x", "csv-10x"], ScaleLabel);

    private string ChartData(string[] inputs, Func<string, string> label)
    {
        var text = new StringBuilder("label sluice duckdb hand\n");
        foreach (string input in inputs)
        {
            if (Runs(input).Count == 0)
            {
                continue;
            }
            text.Append('"').Append(label(input)).Append('"');
            foreach (string contender in (string[])["sluice", "duckdb", "hand"])
            {
                var runs = Runs(input, contender);
                text.Append(' ').Append(runs.Count == 0 ? "?" : Median(runs.Select(r => r.WallSeconds)).ToString("0.###", C));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Label(string input) => input switch
    {
        "csv" => "1 CSV",
        "jsonl" => "2 JSONL",
        "parquet" => "2 Parquet",
        "csv-3x" => "3 CSV 3x",
        "csv-10x" => "3 CSV 10x",
        "csv-cp" => "4 CSV checkpoints",
        "broken-csv" => "5 broken CSV",
        _ => input,
    };

    private static string ScaleLabel(string input) => input switch
    {
        "csv-3x" => "3×",
        "csv-10x" => "10×",
        _ => "1×",
    };

    private List<Measurement> Runs(string input, string? contender = null) =>
        all.Where(m => m.Input == input && (contender is null || m.Contender == contender)).ToList();

    private string RowsLine(string input)
    {
        var runs = Runs(input);
        var outs = runs.Select(r => r.RowsOut).Distinct().ToList();
        string agree = outs.Count == 1 ? "every run of every contender" : "CONTENDERS DISAGREE: " + string.Join(", ", outs);
        return $"{runs[0].RowsIn:N0} rows in, {string.Join(", ", outs.Select(o => o.ToString("N0", C)))} rows out " +
            $"({agree}); {runs.Max(r => r.Trial)} trial(s).";
    }

    private void ContenderTable(StringBuilder md, string input)
    {
        md.AppendLine("| contender | wall s (median) | CPU s | rows/s | peak RSS MB | Sluice ÷ this (wall) |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var contender in Runs(input).Select(r => r.Contender).Distinct())
        {
            var runs = Runs(input, contender);
            double wall = Median(runs.Select(r => r.WallSeconds));
            md.AppendLine($"| {contender} | {wall:0.00} | {Median(runs.Select(r => r.CpuSeconds)):0.00} | " +
                $"{runs[0].RowsIn / wall:N0} | {Median(runs.Select(r => r.PeakMegabytes)):0} | {Ratio(input, contender):0.00} |");
        }
        md.AppendLine();
    }

    private void ScaleSection(StringBuilder md)
    {
        string[] sizes = ["csv", "csv-3x", "csv-10x"];
        if (Runs("csv-3x").Count + Runs("csv-10x").Count == 0)
        {
            return;
        }
        md.AppendLine("### Job 3 — scale: the job-1 CSV at 1×, 3× and 10× the rows").AppendLine()
            .AppendLine("| input | rows in | contender | trials | wall s (median) | wall ÷ 1× wall | CPU s | rows/s | peak RSS MB | Sluice ÷ DuckDB (wall) |")
            .AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string contender in (string[])["sluice", "duckdb"])
        {
            var baseRuns = Runs("csv", contender);
            double? baseWall = baseRuns.Count > 0 ? Median(baseRuns.Select(r => r.WallSeconds)) : null;
            foreach (string size in sizes)
            {
                var runs = Runs(size, contender);
                if (runs.Count == 0)
                {
                    continue;
                }
                double wall = Median(runs.Select(r => r.WallSeconds));
                string growth = baseWall is { } b ? (wall / b).ToString("0.00", C) : "–";
                md.AppendLine($"| {ScaleLabel(size)} | {runs[0].RowsIn:N0} | {contender} | {runs.Count} | {wall:0.00} | {growth} | " +
                    $"{Median(runs.Select(r => r.CpuSeconds)):0.00} | {runs[0].RowsIn / wall:N0} | " +
                    $"{Median(runs.Select(r => r.PeakMegabytes)):0} | {Ratio(size, "duckdb"):0.00} |");
            }
        }
        md.AppendLine();
    }

    /// <summary>Job 4: the job-1 CSV with checkpoints every 10,000 records, at the default interval and only at the
    /// end; the overhead is the paired ratio against the run without intermediate checkpoints.</summary>
    private void CheckpointSection(StringBuilder md)
    {
        if (Runs("csv-cp").Count == 0)
        {
            return;
        }
        md.AppendLine("### Job 4 — checkpoint overhead: the job-1 CSV with checkpoints at three intervals").AppendLine()
            .AppendLine(RowsLine("csv-cp")).AppendLine()
            .AppendLine("`sluice-nocp` checkpoints once, at the end (`every_records: 0, every_seconds: 0`); `sluice` at the default " +
                "(every 1,000,000 records or 60 s); `sluice-cp10k` every 10,000 records. Each checkpoint finishes a Parquet file " +
                "per sink, fsyncs it and its folder, commits a SQLite transaction with `synchronous=FULL` and renames the file.").AppendLine();
        ContenderTable(md, "csv-cp");
        foreach (string contender in (string[])["sluice", "sluice-cp10k"])
        {
            double r = PairedRatio("csv-cp", contender, "sluice-nocp");
            md.AppendLine($"- `{contender}` against `sluice-nocp`: {r:0.000}× wall time (median of paired trials), an overhead of {r - 1:P1}.");
        }
        md.AppendLine();
    }

    private void DeadLetterSection(StringBuilder md)
    {
        var runs = Runs("broken-csv");
        if (runs.Count == 0)
        {
            return;
        }
        md.AppendLine("### Job 5 — dead-letter heavy: the job-1 CSV with 5 % of its rows broken").AppendLine()
            .AppendLine(RowsLine("broken-csv")).AppendLine();
        ContenderTable(md, "broken-csv");
        var clean = Runs("csv", "sluice");
        var broken = Runs("broken-csv", "sluice");
        if (clean.Count > 0 && broken.Count > 0)
        {
            double cleanRate = clean[0].RowsIn / Median(clean.Select(r => r.WallSeconds));
            double brokenRate = broken[0].RowsIn / Median(broken.Select(r => r.WallSeconds));
            md.AppendLine($"Sluice's throughput with 5 % dead letters is {brokenRate / cleanRate:P0} of its job-1 throughput " +
                $"({brokenRate:N0} vs {cleanRate:N0} rows/s).").AppendLine();
        }
    }

    private void Targets(StringBuilder md)
    {
        md.AppendLine("### Targets (issue 4)").AppendLine()
            .AppendLine("| target | measured | met? |").AppendLine("| --- | --- | --- |");
        if (Runs("csv", "duckdb").Count > 0)
        {
            double r = Ratio("csv", "duckdb");
            md.AppendLine($"| job 1 wall ≤ 1.0× DuckDB | {r:0.00}× | {Met(r <= 1.0)} |");
        }
        if (Runs("csv", "hand").Count > 0)
        {
            double r = Ratio("csv", "hand");
            md.AppendLine($"| job 1 wall ≤ 0.8× hand-written | {r:0.00}× | {Met(r <= 0.8)} |");
        }
        var peaks = all.Where(m => m.Contender == "sluice").GroupBy(m => m.Input)
            .Select(g => (Input: g.Key, Peak: Median(g.Select(m => m.PeakMegabytes)))).OrderByDescending(p => p.Peak).ToList();
        if (peaks.Count > 0)
        {
            md.AppendLine($"| Sluice peak RSS ≤ 200 MB | {peaks[0].Peak:0} MB (highest median, {Label(peaks[0].Input)}) | {Met(peaks[0].Peak <= 200)} |");
        }
        md.AppendLine("| engine overhead < 50 ns/record | see [bench/Micro/](../bench/Micro/) | – |").AppendLine();
    }

    private static string Met(bool met) => met ? "met" : "**not met**";

    /// <summary>The median over trials of Sluice's wall time over <paramref name="peer"/>'s in the same trial.</summary>
    private double Ratio(string input, string peer) => PairedRatio(input, "sluice", peer);

    /// <summary>The median over trials of <paramref name="contender"/>'s wall time over <paramref name="peer"/>'s in the same trial.</summary>
    private double PairedRatio(string input, string contender, string peer)
    {
        var times = Runs(input, contender).ToDictionary(r => r.Trial, r => r.WallSeconds);
        var ratios = Runs(input, peer).Where(r => times.ContainsKey(r.Trial)).Select(r => times[r.Trial] / r.WallSeconds).ToList();
        return ratios.Count == 0 ? double.NaN : Median(ratios);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
