using System.Globalization;

namespace Sluice.Bench;

/// <summary>One timed run of one contender, a line of bench/run.sh's results CSV.</summary>
/// <param name="Job">The job's number in docs/benchmarks.md (1, 2, 3, 5).</param>
/// <param name="Input">Which input of the job: <c>csv</c>, <c>jsonl</c>, <c>parquet</c>, <c>csv-3x</c>, <c>csv-10x</c>, <c>broken-csv</c>.</param>
internal sealed record Measurement(string Job, string Input, long RowsIn, string Contender, int Trial,
    double WallSeconds, double CpuSeconds, double PeakMegabytes, long RowsOut)
{
    public const string Header = "job,input,rows_in,contender,trial,wall_s,cpu_s,rss_mb,rows_out";

    public static IReadOnlyList<Measurement> Load(string path) =>
        File.ReadLines(path).Skip(1).Where(line => line.Length > 0).Select(Parse).ToList();

    private static Measurement Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != 9)
        {
            throw new InvalidDataException($"results line '{line}' has {f.Length} fields; expected {Header}");
        }
        var c = CultureInfo.InvariantCulture;
        return new Measurement(f[0], f[1], long.Parse(f[2], c), f[3], int.Parse(f[4], c),
            double.Parse(f[5], c), double.Parse(f[6], c), double.Parse(f[7], c), long.Parse(f[8], c));
    }
}
