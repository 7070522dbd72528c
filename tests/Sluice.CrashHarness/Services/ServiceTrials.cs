using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice.ServiceFixtures;

namespace Sluice.CrashHarness.Services;

/// <summary>
/// The services mode (<c>--services redis</c>): a stream → contract → filter → PostgreSQL table, with a live producer.
/// One private stream server and one private PostgreSQL serve all trials; each trial has its own stream, consumer,
/// schema and pipeline. While the producer appends the trial's entries, <c>sluice run</c> (bounded: it reads what is
/// there and ends) runs again and again — killed at random moments, or at a crash point — until a run that started
/// after the last entry was produced finishes; then <see cref="ServiceVerifier"/> checks the table, the consumer group,
/// the dead letters and the totals.
/// </summary>
internal sealed class ServiceTrials(HarnessOptions options, TextWriter log)
{
    /// <summary>Crash points, each armed for checkpoint 2 (during-resume: the resume after a crash at
    /// after-store-commit:2), so that a checkpoint is committed and the next run must resume.</summary>
    public static readonly string[] Points = ["after-prepare", "after-store-commit", "during-resume", "before-source-ack"];

    private readonly HarnessOptions _options = options;
    private readonly TextWriter _log = log;
    private readonly SluiceCli _cli = new(options.SluiceDll ?? Harness.FindSluiceDll());
    private readonly string _root = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), $"sluice-crash-{Guid.NewGuid():N}"[..20]);
    // The baseline's longest run (reading while the producer writes) and shortest (mostly the CLI's start-up): the
    // window random kills are drawn from.
    private TimeSpan _runTime;
    private TimeSpan _startUp = TimeSpan.MaxValue;
    private TimeSpan _production;

    public int Passed { get; private set; }
    public int Total { get; private set; }
    public int Kills { get; private set; }

    public async Task<bool> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        await using var stream = await StreamsUnderTest.StartAsync(_options.Services!);
        await using var server = await PostgresServer.StartAsync();
        await using var postgres = NpgsqlDataSource.Create(server.ConnectionString);
        _log.WriteLine($"sluice: {_cli.Dll}");
        _log.WriteLine($"services: {stream.Server} → PostgreSQL at {server.Host}:{server.Port} (started in {clock.ElapsedMilliseconds:N0} ms); " +
            $"{_options.ServiceEntries:N0} entries per trial, {_options.ServiceChunk} every {_options.ServicePause.TotalMilliseconds:N0} ms, " +
            $"batches of {_options.ServiceBatch}, checkpoint every {_options.ServiceEveryRecords:N0} records; trials in {_root}");

        var trials = new Trials(this, stream, server, postgres);
        await trials.RunAsync("baseline", 0, trials.BaselineAsync);
        if (_runTime > TimeSpan.Zero)
        {
            foreach (int seed in _options.ServiceSeeds)
            {
                await trials.RunAsync($"seed-{seed}", seed, seed % 2 == 1
                    ? (trial, producer, notes) => trials.FollowKillsAsync(trial, seed, producer, notes)
                    : (trial, producer, notes) => trials.RandomKillsAsync(trial, seed, producer, notes));
            }
        }
        if (_options.Seed is null)
        {
            for (int i = 0; i < Points.Length; i++)
            {
                string point = Points[i];
                await trials.RunAsync($"point-{point}", 1000 + i, (trial, producer, notes) => trials.CrashPointAsync(trial, point, producer, notes));
            }
        }
        _log.WriteLine($"{Passed}/{Total} trials passed ({Kills} kills) in {clock.Elapsed.TotalSeconds:N1} s");
        if (Passed == Total && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
        return Passed == Total;
    }

    private delegate Task<RunResult> Drive(TrialNames trial, Producer producer, List<string> notes);

    private sealed class Trials(ServiceTrials owner, IStreamUnderTest stream, PostgresServer server, NpgsqlDataSource postgres)
    {
        private HarnessOptions Options => owner._options;

        private SluiceCli Cli => owner._cli;

        /// <summary>One trial in a fresh folder and schema: the producer starts, <paramref name="drive"/> runs the
        /// pipeline until a run finishes after the producer did, then everything is verified.</summary>
        public async Task RunAsync(string key, int seed, Drive drive)
        {
            owner.Total++;
            var trial = new TrialNames(key);
            string folder = Path.Combine(owner._root, key);
            var clock = Stopwatch.StartNew();
            var notes = new List<string>();
            List<string> problems;
            Producer? producer = null;
            try
            {
                Directory.CreateDirectory(folder);
                await using (var create = postgres.CreateCommand($"CREATE SCHEMA {trial.Schema}"))
                {
                    await create.ExecuteNonQueryAsync();
                }
                File.WriteAllText(Path.Combine(folder, Scenario.PipelineFile), Pipeline(trial));
                var entries = ServiceData.Generate(seed, Options.ServiceEntries);
                producer = Producer.Start(stream, trial, entries, Options.ServiceChunk, Options.ServicePause);
                var last = await drive(trial, producer, notes);
                await producer.Completion;
                var expected = ServiceData.Expect(entries, producer.Positions, stream.Input(trial));
                notes.Add($"{expected.Out:N0} rows, {expected.Dead} dead letters, {expected.Filtered:N0} filtered");
                problems = await ServiceVerifier.VerifyAsync(folder, postgres, stream, trial, expected, last.Stdout);
                if (problems.Count > 0)
                {
                    problems.Add($"last run: {last.Describe()}");
                }
            }
            catch (Harness.TrialFailed e)
            {
                problems = [e.Message];
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or NpgsqlException or IOException or InvalidOperationException)
            {
                problems = [$"the harness could not drive or check the trial: {e}"];
            }
            finally
            {
                if (producer is not null)
                {
                    try
                    {
                        await producer.Completion; // never leave a producer writing into the next trial's time
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        notes.Add($"producer failed: {e.Message}");
                    }
                }
            }
            if (TrialReport.Write(owner._log, key, notes, clock.Elapsed, problems, folder,
                $", schema {trial.Schema} of PostgreSQL at {server.Host}:{server.Port} (gone when the harness exits)"))
            {
                owner.Passed++;
            }
        }

        private string Pipeline(TrialNames trial) => string.Create(CultureInfo.InvariantCulture, $$"""
            name: {{trial.Pipeline}}
            checkpoint: { every_records: {{Options.ServiceEveryRecords}}, every_seconds: {{Options.ServiceEverySeconds}} }
            {{stream.SourceYaml(trial, Options.ServiceBatch)}}
            contract:
              fields:
                id: { type: int64, required: true }
                grp: { type: int64, required: true }
                amount: { type: int64 }
                name: { type: string, required: true }
                tag: { type: string }
            transforms:
              - filter: grp != 0
            sink:
              type: postgres
              connection: "{{server.ConnectionString}}"
              table: {{trial.Table}}
              create: true

            """);

        /// <summary>Uninterrupted runs until one that started after the producer finished has finished; the
        /// longest run's time is what random kills are spread over.</summary>
        public async Task<RunResult> BaselineAsync(TrialNames trial, Producer producer, List<string> notes)
        {
            var times = new List<long>();
            for (int runs = 1; ; runs++)
            {
                bool after = producer.IsDone;
                var run = await Cli.RunAsync(Folder(trial));
                Harness.ExpectSuccess(run, $"run {runs} (not killed)");
                times.Add((long)run.Elapsed.TotalMilliseconds);
                owner._runTime = run.Elapsed > owner._runTime ? run.Elapsed : owner._runTime;
                owner._startUp = run.Elapsed < owner._startUp ? run.Elapsed : owner._startUp;
                if (after)
                {
                    owner._production = producer.Elapsed;
                    notes.Add($"{runs} uninterrupted runs [{string.Join(", ", times)}] ms, producing took {producer.Elapsed.TotalMilliseconds:N0} ms");
                    return run;
                }
            }
        }

        /// <summary>
        /// Even seeds, bounded runs: kills each run after a delay drawn from the seed, uniform in [S/4, U), where S is
        /// the baseline's shortest run (mostly the CLI's start-up and the pipeline's build; a kill there still lands in
        /// lease take-over, resume or settling) and U is 1.25 × its longest, widened by a fifth after every kill since
        /// the last run that finished (a bounded run ends soon after it has caught up with the producer, so its time
        /// follows the machine's load more than the data: a fixed window may kill every run up to the cap). The first
        /// two kills come in the first half of the window. Reruns until a run that started after the producer finished
        /// exits 0 first; a run that ends by itself earlier is simply followed by the next. After
        /// <see cref="HarnessOptions.MaxKills"/> kills runs are left alone.
        /// </summary>
        public async Task<RunResult> RandomKillsAsync(TrialNames trial, int seed, Producer producer, List<string> notes)
        {
            var random = new Random(seed);
            var delays = new List<long>();
            var from = owner._startUp / 4;
            int resumes = 0, afterSuccess = 0, whileProducing = 0, afterCheckpoint = 0, inARow = 0;
            for (int runs = 1; ; runs++)
            {
                bool after = producer.IsDone;
                double spread = delays.Count < 2 ? 0.5 : 1;
                var window = owner._runTime * 1.25 * Math.Pow(1.2, inARow) - from;
                TimeSpan? delay = delays.Count < Options.MaxKills ? from + window * (spread * random.NextDouble()) : null;
                long checkpoints = SluiceCli.CountCheckpoints(Folder(trial));
                var run = await Cli.RunAsync(Folder(trial), delay);
                inARow = run.Killed ? inARow + 1 : 0;
                resumes += run.Stdout.Contains("resuming run", StringComparison.Ordinal) ? 1 : 0;
                if (run.Killed)
                {
                    owner.Kills++;
                    delays.Add((long)delay!.Value.TotalMilliseconds);
                    whileProducing += producer.IsDone ? 0 : 1;
                    afterCheckpoint += SluiceCli.CountCheckpoints(Folder(trial)) > checkpoints ? 1 : 0;
                    afterSuccess += SluiceCli.LatestRunSucceeded(Folder(trial)) ? 1 : 0;
                    continue;
                }
                Harness.ExpectSuccess(run, $"run {runs} (not killed)");
                if (after)
                {
                    notes.Add($"{delays.Count} kills at [{string.Join(", ", delays)}] ms ({whileProducing} while producing, {afterCheckpoint} after the killed run committed a checkpoint), " +
                        $"{runs} runs, {resumes} resumed");
                    if (afterSuccess > 0)
                    {
                        notes.Add($"{afterSuccess} kills came after the run was recorded succeeded");
                    }
                    return run;
                }
            }
        }

        /// <summary>
        /// Odd seeds, <c>--follow</c>: a following run lives through the whole production (it polls for new entries
        /// and checkpoints every <see cref="HarnessOptions.ServiceEverySeconds"/> while it waits), so kills land in
        /// the middle of a live stream, after checkpoints. Each run is killed after a delay drawn from the seed, uniform
        /// in [S/2, 1.25 (S + P)) where P is the baseline's production time (the first two in the first half);
        /// once the producer is done and the group has nothing pending or undelivered, the run is stopped with SIGTERM
        /// (it drains into a final checkpoint and exits 130, a stopped run) — a kill may still land while it drains.
        /// Then one bounded run must resume the stopped run and finish: the run that completes having read everything.
        /// </summary>
        public async Task<RunResult> FollowKillsAsync(TrialNames trial, int seed, Producer producer, List<string> notes)
        {
            var random = new Random(seed);
            var delays = new List<long>();
            var from = owner._startUp / 2;
            var window = (owner._startUp + owner._production) * 1.25 - from;
            int afterCheckpoint = 0, follows = 0, resumes = 0;
            async Task<bool> Drained() => producer.IsDone && (await stream.CheckDrainedAsync(trial, producer.LastPosition)).Count == 0;
            while (true)
            {
                follows++;
                double spread = delays.Count < 2 ? 0.5 : 1;
                TimeSpan? delay = delays.Count < Options.MaxKills ? from + window * (spread * random.NextDouble()) : null;
                long checkpoints = SluiceCli.CountCheckpoints(Folder(trial));
                var run = await Cli.FollowAsync(Folder(trial), delay, Drained);
                resumes += run.Stdout.Contains("resuming run", StringComparison.Ordinal) ? 1 : 0;
                if (run.Killed)
                {
                    owner.Kills++;
                    delays.Add((long)delay!.Value.TotalMilliseconds);
                    afterCheckpoint += SluiceCli.CountCheckpoints(Folder(trial)) > checkpoints ? 1 : 0;
                    continue;
                }
                // 130: stopped by SIGTERM after draining; 143: the signal came before the CLI listened for it.
                if (run.ExitCode is not (130 or 143))
                {
                    throw new Harness.TrialFailed($"following run {follows} (not killed) did not stop on SIGTERM with exit 130: {run.Describe()}");
                }
                break;
            }
            var last = await Cli.RunAsync(Folder(trial));
            Harness.ExpectSuccess(last, "the bounded run after the following ones");
            notes.Add($"--follow: {delays.Count} kills at [{string.Join(", ", delays)}] ms ({afterCheckpoint} after the killed run committed a checkpoint), " +
                $"{follows} following runs, {resumes} resumed, then a bounded run{(last.Stdout.Contains("resuming run", StringComparison.Ordinal) ? " resuming the stopped one" : "")}");
            return last;
        }

        /// <summary>Once the producer has written enough for three checkpoints, a run dies at
        /// <paramref name="point"/> (checkpoint 2; during-resume: a crash at after-store-commit:2, then the resume
        /// dies); the next run must resume, and runs go on uninterrupted until one that started after the producer
        /// finished has finished.</summary>
        public async Task<RunResult> CrashPointAsync(TrialNames trial, string point, Producer producer, List<string> notes)
        {
            string folder = Folder(trial);
            await producer.WaitForAsync(3 * Options.ServiceEveryRecords);
            if (point == "during-resume")
            {
                Harness.ExpectCrash(await Cli.RunAsync(folder, crashAt: "after-store-commit:2"), "after-store-commit");
                owner.Kills++;
                Harness.ExpectCrash(await Cli.RunAsync(folder, crashAt: point), point);
            }
            else
            {
                Harness.ExpectCrash(await Cli.RunAsync(folder, crashAt: $"{point}:2"), point);
            }
            owner.Kills++;
            bool wasProducing = !producer.IsDone;
            for (int runs = 1; ; runs++)
            {
                bool after = producer.IsDone;
                var run = await Cli.RunAsync(folder);
                Harness.ExpectSuccess(run, $"run {runs} after the crash");
                if (runs == 1 && !run.Stdout.Contains("resuming run", StringComparison.Ordinal))
                {
                    throw new Harness.TrialFailed($"the run after the crash did not resume (no 'resuming run' line): {run.Describe()}");
                }
                if (after)
                {
                    notes.Add($"crashed at {point}{(wasProducing ? " while producing" : "")}, resumed, {runs} runs after");
                    return run;
                }
            }
        }

        private string Folder(TrialNames trial) => Path.Combine(owner._root, trial.Key);
    }
}
