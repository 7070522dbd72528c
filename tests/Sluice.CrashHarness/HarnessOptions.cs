using System.Globalization;

namespace Sluice.CrashHarness;

/// <summary>What to run. <see cref="Quick"/> is the test suite's mode: less data, random-kill seeds 1..6 unless
/// <see cref="Trials"/> says otherwise.</summary>
internal sealed record HarnessOptions
{
    public int? Trials { get; init; }
    public int? Seed { get; init; }
    public bool Quick { get; init; }
    public bool PointsOnly { get; init; }
    public string? SluiceDll { get; init; }

    /// <summary>Folder the trials run in (one subfolder each, removed when the trial passes); a new temp folder by default.</summary>
    public string? WorkFolder { get; init; }

    public int Files => 6;
    public int RowsPerFile => Quick ? 20_000 : 50_000;
    public int EveryRecords => 10_000;
    public int MaxRowsPerFile => 4_000;

    /// <summary>Kills per random trial before the harness lets a run finish.</summary>
    public int MaxKills => 30;

    public IEnumerable<int> RandomSeeds =>
        PointsOnly ? [] : Seed is { } one ? [one] : Enumerable.Range(1, Trials ?? (Quick ? 6 : 20));

    public const string Usage = "usage: Sluice.CrashHarness [--trials N] [--seed S] [--quick] [--points] [--sluice PATH/Sluice.Cli.dll]";

    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; {Usage}");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i - 1]} needs a positive integer; {Usage}");
            options = args[i] switch
            {
                "--trials" => options with { Trials = Number() },
                "--seed" => options with { Seed = Number() },
                "--quick" => options with { Quick = true },
                "--points" => options with { PointsOnly = true },
                "--sluice" => options with { SluiceDll = Path.GetFullPath(Value()) },
                _ => throw new ArgumentException($"unknown argument {args[i]}; {Usage}"),
            };
        }
        return options;
    }
}
