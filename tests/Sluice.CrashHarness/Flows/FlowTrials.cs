using System.Diagnostics;

namespace Sluice.CrashHarness.Flows;

/// <summary>
/// The flow mode (<c>--flows</c>): kills <c>sluice flow run</c> in the middle of a flow (<see cref="FlowLayout"/>).
/// An uninterrupted baseline gives the run time T; each seed's trial, in a fresh folder with input from its seed,
/// kills the run (SIGKILL) after a delay uniform in [0, 1.25 T) ([0, T/2) for the first two), reruns it, kills again …
/// until a run exits 0 (after <see cref="HarnessOptions.FlowMaxKills"/> kills one is left alone), or until a kill came
/// after the flow run was recorded succeeded (a rerun would start a new flow run: the flow is done). Then
/// <see cref="FlowVerifier"/> checks it.
/// </summary>
internal sealed class FlowTrials(HarnessOptions options, TextWriter log)
{
    private readonly SluiceCli _cli = new(options.SluiceDll ?? Harness.FindSluiceDll());
    private readonly string _root = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), $"sluice-flow-crash-{Guid.NewGuid():N}"[..26]);
    private TimeSpan _runTime;

    public int Passed { get; private set; }
    public int Total { get; private set; }
    public int Kills { get; private set; }

    /// <summary>Task instances found running by a rerun (recorded crashed and run again), over all trials; and of
    /// them, the pipeline task's (killed mid-pipeline: its pipeline run resumed from a checkpoint or started over).</summary>
    public int Crashed { get; private set; }
    public int CrashedPipelines { get; private set; }

    public async Task<bool> RunAsync()
    {
        log.WriteLine($"sluice: {_cli.Dll}");
        log.WriteLine($"flow: {options.FlowFiles} files × {options.FlowRowsPerFile:N0} rows, pipeline checkpoint every {options.FlowEveryRecords:N0} records; trials in {_root}");
        var clock = Stopwatch.StartNew();
        await TrialAsync("baseline", 0, BaselineAsync);
        if (_runTime > TimeSpan.Zero)
        {
            foreach (int seed in options.FlowSeeds)
            {
                await TrialAsync($"seed {seed}", seed, (folder, notes) => RandomKillsAsync(folder, seed, notes));
            }
        }
        log.WriteLine($"{Passed}/{Total} trials passed ({Kills} kills; {Crashed} task instances crashed and run again, {CrashedPipelines} of them the pipeline task) in {clock.Elapsed.TotalSeconds:F0} s");
        if (Passed == Total)
        {
            Directory.Delete(_root, recursive: true);
        }
        return Passed == Total;
    }

    private async Task TrialAsync(string name, int seed, Func<string, List<string>, Task> runs)
    {
        Total++;
        string folder = Path.Combine(_root, name.Replace(' ', '-'));
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        List<string> problems;
        try
        {
            Directory.CreateDirectory(folder);
            var input = FlowInput.Write(Path.Combine(folder, FlowLayout.InputFolder), seed, options.FlowFiles, options.FlowRowsPerFile);
            FlowLayout.Write(folder, options.FlowEveryRecords, options.FlowRowsPerFile / 5);
            await runs(folder, notes);
            problems = FlowVerifier.Verify(folder, input);
            var crashed = FlowState.Read(SluiceCli.StatePath(folder)).Crashed;
            Crashed += crashed.Values.Sum();
            CrashedPipelines += crashed.GetValueOrDefault(FlowLayout.Load);
            notes.Add($"crashed and run again: {(crashed.Count == 0 ? "none" : string.Join(", ", crashed.Select(c => $"{c.Key}×{c.Value}")))}");
        }
        catch (Harness.TrialFailed e)
        {
            problems = [e.Message];
        }
        if (TrialReport.Write(log, name, notes, clock.Elapsed, problems, folder))
        {
            Passed++;
        }
    }

    private async Task BaselineAsync(string folder, List<string> notes)
    {
        var run = await _cli.FlowRunAsync(folder);
        Harness.ExpectSuccess(run, "the uninterrupted flow run");
        _runTime = run.Elapsed;
        notes.Add($"uninterrupted run {run.Elapsed.TotalMilliseconds:N0} ms");
    }

    private async Task RandomKillsAsync(string folder, int seed, List<string> notes)
    {
        var random = new Random(seed);
        var delays = new List<long>();
        for (int runs = 1; ; runs++)
        {
            // The first two kills fall in the first half of a run, so that every trial has at least two whatever the
            // machine's speed; later ones may outlast the run.
            double spread = delays.Count < 2 ? 0.5 : 1.25;
            TimeSpan? delay = delays.Count < options.FlowMaxKills ? _runTime * (spread * random.NextDouble()) : null;
            var run = await _cli.FlowRunAsync(folder, delay);
            if (run.Killed)
            {
                Kills++;
                delays.Add((long)delay!.Value.TotalMilliseconds);
                if (SluiceCli.LatestRunSucceeded(folder, "flow"))
                {
                    notes.Add($"{delays.Count} kills at [{string.Join(", ", delays)}] ms, {runs} runs, the last killed after the flow run was recorded succeeded");
                    return;
                }
                continue;
            }
            Harness.ExpectSuccess(run, $"run {runs} (not killed)");
            notes.Add($"{delays.Count} kills at [{string.Join(", ", delays)}] ms, {runs} runs");
            return;
        }
    }
}
