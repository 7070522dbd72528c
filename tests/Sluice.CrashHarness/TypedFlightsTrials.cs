using System.Diagnostics;
using Apache.Arrow;
using Microsoft.Data.Sqlite;
using ParquetSharp.Arrow;

namespace Sluice.CrashHarness;

/// <summary>
/// The typed mode (<c>--typed</c>): drives <c>examples/typed-flights</c>, a pipeline defined in C#, instead of the
/// CLI. Its input is the flights example's data (four copies of the 20,000-row file and the file of broken rows), a
/// checkpoint every 5,000 records. One uninterrupted baseline run gives the expected output and the run time T;
/// each trial then kills the program (SIGKILL) after a delay drawn from its seed in [0, 1.25 T) ([0, T/2) for the
/// first two), reruns, kills again … until a run exits 0 (after 30 kills it lets a run finish), and checks that the published Parquet holds exactly the baseline's rows (as a
/// multiset: none lost, none twice), that no <c>.inprogress</c> file is left, and that the state file holds one
/// dead letter per broken record.
/// </summary>
internal sealed class TypedFlightsTrials(HarnessOptions options, TextWriter log)
{
    private const int CheckpointEvery = 5_000;
    private readonly string _dll = FindTypedDll();
    private readonly string _root = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), $"sluice-typed-crash-{Guid.NewGuid():N}"[..26]);

    public int Kills { get; private set; }

    public async Task<bool> RunAsync()
    {
        log.WriteLine($"typed-flights: {_dll}; trials in {_root}");
        string data = WriteData(Path.Combine(_root, "data"));
        var clock = Stopwatch.StartNew();
        var baseline = await RunAsync(data, Path.Combine(_root, "baseline"), killAfter: null);
        var runTime = clock.Elapsed;
        if (baseline.ExitCode != 0)
        {
            log.WriteLine($"FAIL baseline: exit {baseline.ExitCode}: {baseline.Stderr}");
            return false;
        }
        var expected = Rows(Path.Combine(_root, "baseline", "out"));
        var expectedLetters = DeadLetters(Path.Combine(_root, "baseline"));
        log.WriteLine($"baseline: {expected.Count:N0} rows, {expectedLetters.Count} dead letters, {runTime.TotalSeconds:F1} s");
        bool passed = true;
        int trials = options.Trials ?? (options.Quick ? 3 : 10);
        for (int seed = options.Seed ?? 1; seed < (options.Seed ?? 1) + trials; seed++)
        {
            passed &= await TrialAsync(seed, data, runTime, expected, expectedLetters);
        }
        if (passed)
        {
            Directory.Delete(_root, recursive: true);
        }
        return passed;
    }

    private async Task<bool> TrialAsync(int seed, string data, TimeSpan runTime, List<string> expected, List<string> expectedLetters)
    {
        string folder = Path.Combine(_root, $"seed-{seed}");
        var random = new Random(seed);
        int kills = 0;
        while (true)
        {
            // The first two kills come in the first half of a run, so that every trial has at least two.
            double span = kills < 2 ? 0.5 : 1.25;
            var killAfter = kills < options.MaxKills ? TimeSpan.FromMilliseconds(random.NextDouble() * span * runTime.TotalMilliseconds) : (TimeSpan?)null;
            var run = await RunAsync(data, folder, killAfter);
            if (run.Killed)
            {
                kills++;
                continue;
            }
            if (run.ExitCode != 0)
            {
                log.WriteLine($"FAIL seed {seed}: a run that was not killed exited {run.ExitCode}: {run.Stderr}");
                return false;
            }
            break;
        }
        Kills += kills;
        var problems = new List<string>();
        string output = Path.Combine(folder, "out");
        if (Directory.EnumerateFiles(output, "*.inprogress").Any())
        {
            problems.Add("an .inprogress file is left");
        }
        var rows = Rows(output);
        if (!rows.SequenceEqual(expected))
        {
            int twice = rows.Count - rows.Distinct().Count() - (expected.Count - expected.Distinct().Count());
            problems.Add($"{rows.Count:N0} rows published, expected {expected.Count:N0} (rows seen more often than in the baseline: {twice})");
        }
        var letters = DeadLetters(folder);
        if (!letters.SequenceEqual(expectedLetters))
        {
            problems.Add($"{letters.Count} dead letters, expected {expectedLetters.Count}");
        }
        log.WriteLine($"{(problems.Count == 0 ? "pass" : "FAIL")} seed {seed}: {kills} kills{(problems.Count == 0 ? "" : ": " + string.Join("; ", problems))}");
        return problems.Count == 0;
    }

    private async Task<RunResult> RunAsync(string data, string folder, TimeSpan? killAfter)
    {
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (string argument in new[] { "exec", _dll, "--checkpoint-every", $"{CheckpointEvery}", data, "out", "state.db" })
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool killed = false;
        using (var timer = new CancellationTokenSource(killAfter ?? TimeSpan.FromMinutes(5)))
        {
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                killed = killAfter is not null;
                await process.WaitForExitAsync();
            }
        }
        killed &= process.ExitCode == RunResult.SigKillExitCode; // the kill raced with a normal exit
        return new RunResult(process.ExitCode, killed, await stdout, await stderr, clock.Elapsed);
    }

    /// <summary>Every published row, rendered, in ordinal order (part files of several runs come in no fixed order).</summary>
    private static List<string> Rows(string folder)
    {
        var rows = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder, "*.parquet"))
        {
            using var reader = new FileReader(file);
            using var batches = reader.GetRecordBatchReader();
            while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
            {
                using (batch)
                {
                    for (int i = 0; i < batch.Length; i++)
                    {
                        rows.Add(string.Join("|", Enumerable.Range(0, batch.ColumnCount).Select(c => Value(batch.Column(c), i))));
                    }
                }
            }
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Value(IArrowArray column, int row) => column.IsNull(row) ? "null" : column switch
    {
        TimestampArray t => t.Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture),
        Int64Array n => n.Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture),
        StringArray s => s.GetString(row),
        BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
        _ => throw new InvalidDataException($"unexpected column type {column.Data.DataType.Name}"),
    };

    /// <summary>The dead letters in the state file, as file name and line, in order.</summary>
    private static List<string> DeadLetters(string folder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "state.db")};Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT input, CAST(position AS INTEGER) AS line FROM dead_letters ORDER BY input, line";
        using var reader = query.ExecuteReader();
        var letters = new List<string>();
        while (reader.Read())
        {
            letters.Add($"{Path.GetFileName(reader.GetString(0))}:{reader.GetInt64(1)}");
        }
        return letters;
    }

    private static string WriteData(string folder)
    {
        string example = Path.Combine(RepoRoot(), "examples", "flights", "data");
        Directory.CreateDirectory(folder);
        for (int copy = 1; copy <= 4; copy++)
        {
            File.Copy(Path.Combine(example, "flights-20k.csv"), Path.Combine(folder, $"flights-{copy}.csv"));
        }
        File.Copy(Path.Combine(example, "flights-broken.csv"), Path.Combine(folder, "flights-broken.csv"));
        return folder;
    }

    private static string FindTypedDll()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "TypedFlights.dll");
        if (File.Exists(beside))
        {
            return beside;
        }
        string bin = Path.Combine(RepoRoot(), "examples", "typed-flights", "bin");
        return Directory.Exists(bin) && new DirectoryInfo(bin).GetFiles("TypedFlights.dll", SearchOption.AllDirectories)
                .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault() is { } built
            ? built.FullName
            : throw new FileNotFoundException("TypedFlights.dll not found: build it first (dotnet build examples/typed-flights -c Release)");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository (Sluice.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
