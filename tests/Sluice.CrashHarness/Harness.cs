using System.Diagnostics;
using System.Globalization;

namespace Sluice.CrashHarness;

/// <summary>
/// Proves exactly-once across <c>kill -9</c>: per scenario one uninterrupted baseline run (which also gives the
/// run time the random kills are spread over), random-kill trials (kill, rerun, kill … until a run finishes) and
/// the engine's named crash points; after each, <see cref="Verifier"/> checks output, dead letters and totals.
/// Baselines and some random-kill trials then fix the pipeline's contract and replay its dead letters (uninterrupted
/// in a baseline, which gives the replay time; through a crash point and random kills otherwise), and check again.
/// </summary>
internal sealed class Harness(HarnessOptions options, TextWriter log)
{
    private readonly SluiceCli _cli = new(options.SluiceDll ?? FindSluiceDll());
    private readonly string _root = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), $"sluice-crash-{Guid.NewGuid():N}"[..20]);
    private readonly Dictionary<Scenario, TimeSpan> _runTimes = [];
    private readonly Dictionary<Scenario, TimeSpan> _replayTimes = [];

    /// <summary>The crash points a replay phase starts with, one per trial (drawn from its seed).</summary>
    private static readonly string[] ReplayPoints = ["after-prepare", "after-store-commit", "during-sink-commit"];

    /// <summary>Crash-point trials: every point on the JSON Lines scenario, plus a multi-file commit cut in two on
    /// Parquet and a crash between store and sink commit behind the union. Points are armed for checkpoint 2 (during-sink-commit for
    /// the first commit of several files), so a checkpoint is committed and the next run must resume.</summary>
    private static readonly (string Point, Scenario Scenario)[] Points =
    [
        ("after-prepare", Scenario.Jsonl),
        ("after-store-commit", Scenario.Jsonl),
        ("during-sink-commit", Scenario.Jsonl),
        ("during-resume", Scenario.Jsonl),
        ("during-sink-commit", Scenario.All[2]),
        ("after-store-commit", Scenario.All[1]),
    ];

    public int Passed { get; private set; }
    public int Total { get; private set; }
    public int Kills { get; private set; }

    /// <summary>Replay phases run; of <see cref="Kills"/>, those of replays, and those that came after the killed
    /// replay had started a replay run (not in its start-up, lease or settling).</summary>
    public int Replays { get; private set; }
    public int ReplayKills { get; private set; }
    public int ReplayKillsInRun { get; private set; }

    public async Task<bool> RunAsync()
    {
        log.WriteLine($"sluice: {_cli.Dll}");
        log.WriteLine($"data: {options.Files} files × {options.RowsPerFile:N0} rows, checkpoint every {options.EveryRecords:N0} records, {options.MaxRowsPerFile:N0} rows per part file; trials in {_root}");
        var seeds = options.RandomSeeds.ToList();
        var scenarios = options.PointsOnly ? Points.Select(p => p.Scenario).Distinct() : Scenario.All;
        foreach (var scenario in scenarios)
        {
            await TrialAsync($"baseline {scenario.Name}", scenario, 0, (folder, notes) => BaselineAsync(folder, scenario, notes),
                options.PointsOnly ? null : (folder, notes) => ReplayBaselineAsync(folder, scenario, notes));
        }
        foreach (int seed in seeds)
        {
            var scenario = Scenario.All[(seed - 1) % Scenario.All.Count];
            if (_runTimes.ContainsKey(scenario))
            {
                await TrialAsync($"seed {seed} {scenario.Name}", scenario, seed, (folder, notes) => RandomKillsAsync(folder, scenario, seed, notes),
                    options.Replays(seed) && _replayTimes.ContainsKey(scenario) ? (folder, notes) => ReplayKillsAsync(folder, scenario, seed, notes) : null);
            }
        }
        if (options.Seed is null && !options.ReplayOnly)
        {
            for (int i = 0; i < Points.Length; i++)
            {
                var (point, scenario) = Points[i];
                await TrialAsync($"{point} {scenario.Name}", scenario, 1000 + i, (folder, notes) => CrashPointAsync(folder, point, notes));
            }
        }
        if (Replays > 0)
        {
            log.WriteLine($"replay phases: {Replays}, with {ReplayKills} of the kills ({ReplayKillsInRun} of them in a replay run)");
        }
        log.WriteLine($"{Passed}/{Total} trials passed ({Kills} kills)");
        if (Passed == Total)
        {
            Directory.Delete(_root, recursive: true);
        }
        return Passed == Total;
    }

    /// <summary>Runs one trial in a fresh folder: data from <paramref name="dataSeed"/>, the pipeline, then
    /// <paramref name="runs"/>, which returns the last run (exit 0) or throws <see cref="TrialFailed"/>; then verifies.
    /// With <paramref name="replays"/>, and if that passed, it then fixes the pipeline file's contract (keeping the
    /// first one as pipeline-before-fix.yaml), replays the dead letters with <paramref name="replays"/>, which
    /// returns the last replay (exit 0), and verifies again.</summary>
    private async Task TrialAsync(string name, Scenario scenario, int dataSeed, Func<string, List<string>, Task<RunResult>> runs,
        Func<string, List<string>, Task<RunResult>>? replays = null)
    {
        Total++;
        string folder = Path.Combine(_root, name.Replace(' ', '-'));
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        List<string> problems;
        try
        {
            Directory.CreateDirectory(folder);
            var data = DataSet.Write(Path.Combine(folder, "data"), dataSeed, options.Files, options.RowsPerFile);
            File.WriteAllText(Path.Combine(folder, Scenario.PipelineFile), scenario.Yaml(options.EveryRecords, options.MaxRowsPerFile));
            var last = await runs(folder, notes);
            problems = Verifier.Verify(folder, data.Expected, last.Stdout);
            if (problems.Count > 0)
            {
                problems.Add($"last run: {last.Describe()}");
            }
            else if (replays is not null)
            {
                string pipeline = Path.Combine(folder, Scenario.PipelineFile);
                File.Copy(pipeline, Path.Combine(folder, "pipeline-before-fix.yaml"));
                File.WriteAllText(pipeline, scenario.FixedYaml(options.ReplayEveryRecords, options.ReplayMaxRowsPerFile));
                Replays++;
                var replay = await replays(folder, notes);
                problems = Verifier.VerifyReplay(folder, scenario, data.Expected, replay.Stdout);
                if (problems.Count > 0)
                {
                    problems.Add($"last replay: {replay.Describe()}");
                }
            }
        }
        catch (TrialFailed e)
        {
            problems = [e.Message];
        }
        if (TrialReport.Write(log, name, notes, clock.Elapsed, problems, folder))
        {
            Passed++;
        }
    }

    private async Task<RunResult> BaselineAsync(string folder, Scenario scenario, List<string> notes)
    {
        var run = await _cli.RunAsync(folder);
        ExpectSuccess(run, "the uninterrupted run");
        _runTimes[scenario] = run.Elapsed;
        notes.Add($"uninterrupted run {run.Elapsed.TotalMilliseconds:N0} ms");
        return run;
    }

    /// <summary>Kills each run after a delay drawn from the seed, uniform over 1.25 × the baseline's run time (so that
    /// a run sometimes gets to finish; 0.5 × for the first two kills), until a run finishes first; after <see cref="HarnessOptions.MaxKills"/>
    /// kills the next run is left alone.</summary>
    private async Task<RunResult> RandomKillsAsync(string folder, Scenario scenario, int seed, List<string> notes)
    {
        var random = new Random(seed);
        var delays = new List<long>();
        int resumes = 0, afterSuccess = 0;
        for (int runs = 1; ; runs++)
        {
            // The first two delays fall in the first half of the run, so every trial kills at least twice whatever the
            // machine's speed; later ones may outlast the run.
            double spread = delays.Count < 2 ? 0.5 : 1.25;
            TimeSpan? delay = delays.Count < options.MaxKills ? _runTimes[scenario] * (spread * random.NextDouble()) : null;
            var run = await _cli.RunAsync(folder, delay);
            resumes += run.Stdout.Contains("resuming run", StringComparison.Ordinal) ? 1 : 0;
            if (run.Killed)
            {
                Kills++;
                delays.Add((long)delay!.Value.TotalMilliseconds);
                afterSuccess += SluiceCli.LatestRunSucceeded(folder) ? 1 : 0;
                continue;
            }
            ExpectSuccess(run, $"run {runs} (not killed)");
            notes.Add($"{delays.Count} kills at [{string.Join(", ", delays)}] ms, {runs} runs, {resumes} resumed");
            if (afterSuccess > 0)
            {
                // Said because it explains duplicates: the next run is a new run over the same input.
                notes.Add($"{afterSuccess} kills came after the run was recorded succeeded");
            }
            return run;
        }
    }

    private async Task<RunResult> ReplayBaselineAsync(string folder, Scenario scenario, List<string> notes)
    {
        var replay = await _cli.ReplayAsync(folder);
        ExpectSuccess(replay, "the uninterrupted replay");
        _replayTimes[scenario] = replay.Elapsed;
        notes.Add($"uninterrupted replay {replay.Elapsed.TotalMilliseconds:N0} ms");
        return replay;
    }

    /// <summary>
    /// Replays the dead letters until a replay finishes first: the first replay dies at a crash point drawn from the
    /// seed (a replay is over in a few hundred milliseconds, a third of them the CLI's start-up, so random kills
    /// alone would often land before it touches anything); each later one is killed after a delay uniform in
    /// [0, 1.25 × the baseline replay's time) — as for runs, but with no shorter first delays, since the crash point
    /// already made a kill land — until <see cref="HarnessOptions.MaxReplayKills"/>. After a kill, one time in four a
    /// <c>sluice run</c> (not killed; it finds no new input) comes first: it must settle the killed replay as well.
    /// </summary>
    private async Task<RunResult> ReplayKillsAsync(string folder, Scenario scenario, int seed, List<string> notes)
    {
        // Not the run phase's stream: its draws depend on how many kills landed.
        var random = new Random(seed ^ 0x5eed);
        string point = ReplayPoints[random.Next(ReplayPoints.Length)];
        string crashAt = point == "during-sink-commit" ? point : string.Create(CultureInfo.InvariantCulture, $"{point}:{random.Next(1, 3)}");
        var replay = await _cli.ReplayAsync(folder, crashAt: crashAt);
        if (replay.ExitCode == 0)
        {
            // A commit of one file never reaches during-sink-commit; say so rather than fail.
            notes.Add($"replay: {crashAt} not reached, 1 replay");
            return replay;
        }
        ExpectCrash(replay, point);
        Kills++;
        ReplayKills++;
        ReplayKillsInRun++; // every crash point is inside a replay run's checkpoint
        var delays = new List<long>();
        int replays = 1, settledByRun = 0, afterSuccess = 0, started = 0;
        while (true)
        {
            if (random.Next(4) == 0)
            {
                ExpectSuccess(await _cli.RunAsync(folder), "the run after a killed replay");
                settledByRun++;
            }
            TimeSpan? delay = delays.Count < options.MaxReplayKills ? _replayTimes[scenario] * (0.4 + 0.8 * random.NextDouble()) : null;
            long replayRuns = SluiceCli.CountRuns(folder, "replay");
            replay = await _cli.ReplayAsync(folder, delay);
            replays++;
            if (replay.Killed)
            {
                Kills++;
                ReplayKills++;
                delays.Add((long)delay!.Value.TotalMilliseconds);
                // Whether the kill landed in the replay's runs or still in start-up, lease or settling.
                if (SluiceCli.CountRuns(folder, "replay") > replayRuns)
                {
                    started++;
                    ReplayKillsInRun++;
                    afterSuccess += SluiceCli.LatestRunSucceeded(folder, "replay") ? 1 : 0;
                }
                continue;
            }
            ExpectSuccess(replay, $"replay {replays} (not killed)");
            notes.Add($"replay: crashed at {crashAt}, {delays.Count} kills at [{string.Join(", ", delays)}] ms ({started} after a replay run started), " +
                $"{replays} replays, {settledByRun} runs between");
            if (afterSuccess > 0)
            {
                notes.Add($"{afterSuccess} replay kills came after a replay run was recorded succeeded");
            }
            return replay;
        }
    }

    private async Task<RunResult> CrashPointAsync(string folder, string point, List<string> notes)
    {
        if (point == "during-resume")
        {
            // A resume needs a committed checkpoint to resume from: crash once after it, then crash the resume.
            ExpectCrash(await _cli.RunAsync(folder, crashAt: "after-store-commit:2"), "after-store-commit");
            ExpectCrash(await _cli.RunAsync(folder, crashAt: point), point);
        }
        else
        {
            ExpectCrash(await _cli.RunAsync(folder, crashAt: $"{point}:2"), point);
        }
        Kills++;
        var run = await _cli.RunAsync(folder);
        ExpectSuccess(run, "the run after the crash");
        if (!run.Stdout.Contains("resuming run", StringComparison.Ordinal))
        {
            throw new TrialFailed($"the run after the crash did not resume (no 'resuming run' line): {run.Describe()}");
        }
        notes.Add($"crashed at {point}, resumed");
        return run;
    }

    internal static void ExpectSuccess(RunResult run, string what)
    {
        if (run.ExitCode != 0)
        {
            throw new TrialFailed($"{what} failed: {run.Describe()}");
        }
    }

    internal static void ExpectCrash(RunResult run, string point)
    {
        if (run.ExitCode != RunResult.SigKillExitCode || !run.Stderr.Contains($"SLUICE_CRASH_AT: killing the process at {point}", StringComparison.Ordinal))
        {
            throw new TrialFailed($"expected the process to kill itself at {point}: {run.Describe()}");
        }
    }

    /// <summary>Sluice.Cli.dll beside the harness (as in the CLI tests' output folder), else the newest build in
    /// the repository's src/Sluice.Cli/bin.</summary>
    internal static string FindSluiceDll()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll");
        if (File.Exists(beside))
        {
            return beside;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Sluice.Cli", "bin");
            if (Directory.Exists(bin))
            {
                var built = new DirectoryInfo(bin).GetFiles("Sluice.Cli.dll", SearchOption.AllDirectories)
                    .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault();
                if (built is not null)
                {
                    return built.FullName;
                }
            }
        }
        throw new FileNotFoundException("Sluice.Cli.dll not found beside the harness or under src/Sluice.Cli/bin; build it or pass --sluice PATH");
    }

    internal sealed class TrialFailed(string message) : Exception(message);
}
