using System.Globalization;
using Sluice.CrashHarness.Services;

namespace Sluice.CrashHarness;

/// <summary>What to run. <see cref="Quick"/> is the test suite's mode: less data, random-kill seeds 1..6 unless
/// <see cref="Trials"/> says otherwise. <see cref="ReplayOnly"/>: baselines and random-kill trials only, each with a
/// replay phase.</summary>
internal sealed record HarnessOptions
{
    public int? Trials { get; init; }
    public int? Seed { get; init; }
    public bool Quick { get; init; }
    public bool PointsOnly { get; init; }
    public bool ReplayOnly { get; init; }

    /// <summary>Drive examples/typed-flights instead of the CLI (see <see cref="TypedFlightsTrials"/>).</summary>
    public bool Typed { get; init; }

    /// <summary>The services mode: the stream (<c>redis</c>) whose source feeds a PostgreSQL table while a producer
    /// writes into it (see <see cref="ServiceTrials"/>); null for the file trials.</summary>
    public string? Services { get; init; }

    /// <summary>The flow mode: kill <c>sluice flow run</c> mid-flow (see <see cref="Flows.FlowTrials"/>).</summary>
    public bool Flows { get; init; }
    public string? SluiceDll { get; init; }

    /// <summary>Folder the trials run in (one subfolder each, removed when the trial passes); a new temp folder by default.</summary>
    public string? WorkFolder { get; init; }

    public int Files => 6;
    public int RowsPerFile => Quick ? 20_000 : 50_000;
    public int EveryRecords => 10_000;
    public int MaxRowsPerFile => 4_000;

    /// <summary>Kills per random trial before the harness lets a run finish.</summary>
    public int MaxKills => 30;

    /// <summary>A replay reads a few hundred letters in one batch per file: a checkpoint every few letters gives it
    /// one per batch, and small part files make each commit publish several.</summary>
    public int ReplayEveryRecords => 10;
    public int ReplayMaxRowsPerFile => 5;

    /// <summary>Random kills per replay phase (after its crash point) before the harness lets a replay finish; fewer
    /// in quick mode, which the test suite runs.</summary>
    public int MaxReplayKills => Quick ? 4 : 10;

    /// <summary>Whether random-kill trial <paramref name="seed"/> goes on to replay its dead letters: odd seeds (so
    /// seeds 1, 3, 5 cover the three scenarios), every seed with <see cref="ReplayOnly"/>.</summary>
    public bool Replays(int seed) => ReplayOnly || seed % 2 == 1;

    /// <summary>Services mode: entries per trial, written <see cref="ServiceChunk"/> at a time with
    /// <see cref="ServicePause"/> after each (quick: about 2 s of producing, full: about 6 s), read
    /// <see cref="ServiceBatch"/> at a time, a checkpoint every <see cref="ServiceEveryRecords"/>.</summary>
    public int ServiceEntries => Quick ? 3_000 : 12_000;
    public int ServiceChunk => Quick ? 50 : 100;
    public TimeSpan ServicePause => TimeSpan.FromMilliseconds(25);
    public int ServiceBatch => 100;
    public int ServiceEveryRecords => Quick ? 300 : 1_000;

    /// <summary>Services mode: also a checkpoint this often (seconds), so that a following run that waits for
    /// entries still commits (and acknowledges) what it read.</summary>
    public double ServiceEverySeconds => 0.25;

    /// <summary>Services mode: random-kill seeds 1..3 in quick mode (odd ones with --follow), 1..20 otherwise, or as <see cref="Trials"/> and
    /// <see cref="Seed"/> say.</summary>
    public IEnumerable<int> ServiceSeeds =>
        PointsOnly ? [] : Seed is { } one ? [one] : Enumerable.Range(1, Trials ?? (Quick ? 3 : 20));

    /// <summary>Flow mode: the input (files × rows, read by the flow's pipeline task with a checkpoint every
    /// <see cref="FlowEveryRecords"/> records and by one mapped instance per file), random-kill seeds 1..3 in quick
    /// mode, 1..10 otherwise, and the kills per trial before a run is left to finish.</summary>
    public int FlowFiles => Quick ? 4 : 6;
    public int FlowRowsPerFile => Quick ? 5_000 : 20_000;
    public int FlowEveryRecords => Quick ? 2_000 : 5_000;
    public int FlowMaxKills => Quick ? 8 : 20;

    public IEnumerable<int> FlowSeeds => Seed is { } one ? [one] : Enumerable.Range(1, Trials ?? (Quick ? 3 : 10));

    public IEnumerable<int> RandomSeeds =>
        PointsOnly ? [] : Seed is { } one ? [one] : Enumerable.Range(1, Trials ?? (Quick ? 6 : 20));

    public const string Usage = "usage: Sluice.CrashHarness [--trials N] [--seed S] [--quick] [--points | --replay | --typed | --flows | --services redis|nats] [--sluice PATH/Sluice.Cli.dll]";

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
                "--replay" => options with { ReplayOnly = true },
                "--typed" => options with { Typed = true },
                "--flows" => options with { Flows = true },
                "--services" => options with { Services = Value() is var name && StreamsUnderTest.Names.Contains(name)
                    ? name
                    : throw new ArgumentException($"--services takes one of {string.Join(", ", StreamsUnderTest.Names)}; {Usage}") },
                "--sluice" => options with { SluiceDll = Path.GetFullPath(Value()) },
                _ => throw new ArgumentException($"unknown argument {args[i]}; {Usage}"),
            };
        }
        return (options.PointsOnly ? 1 : 0) + (options.ReplayOnly ? 1 : 0) + (options.Typed ? 1 : 0) + (options.Flows ? 1 : 0) > 1
            ? throw new ArgumentException($"--points, --replay, --typed and --flows exclude each other; {Usage}")
            : options.Flows && options.Services is not null
            ? throw new ArgumentException($"--flows and --services exclude each other; {Usage}")
            : options.Services is not null && (options.ReplayOnly || options.Typed)
            ? throw new ArgumentException($"--services goes with --points, --trials, --seed and --quick, not --replay or --typed; {Usage}")
            : options;
    }
}
