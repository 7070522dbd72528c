using System.Diagnostics;
using Sluice.Execution;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.Examples;
using Sluice.Tests.TestSupport;
using TypedFlights;

namespace Sluice.Tests.TypedPipelines;

/// <summary>The typed flights program killed with SIGKILL again and again while it runs, then let finish: its
/// published Parquet holds exactly the rows of one uninterrupted run (none lost, none twice) and its state file
/// exactly one dead letter per broken record.</summary>
public sealed class TypedFlightsCrashTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Runs_killed_at_random_moments_resume_and_publish_every_row_exactly_once()
    {
        string data = _dir.File("data");
        Directory.CreateDirectory(data);
        for (int copy = 1; copy <= 4; copy++)
        {
            File.Copy(Path.Combine(FlightsExample.Folder, "data", "flights-20k.csv"), Path.Combine(data, $"flights-{copy}.csv"));
        }
        File.Copy(Path.Combine(FlightsExample.Folder, "data", "flights-broken.csv"), Path.Combine(data, "flights-broken.csv"));
        List<string> expected;
        await using (var store = await SqliteStateStore.OpenAsync(_dir.File("baseline.db")))
        {
            var baseline = await new PipelineRunner(store).RunAsync(FlightsPipeline.Build(data, _dir.File("baseline")));
            Assert.Equal(RunState.Succeeded, baseline.Run.State);
            expected = Rows(_dir.File("baseline"));
        }

        // Kills after 0.3 s (start-up) and then at random moments of the runs, until 6 kills; then a run may finish.
        var random = new Random(20261204);
        int kills = 0;
        while (true)
        {
            using var process = Start(data);
            if (kills < 6 && !process.WaitForExit(kills == 0 ? 300 : random.Next(300, 3000)))
            {
                process.Kill();
                await process.WaitForExitAsync();
                kills++;
                continue;
            }
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
            break;
        }

        Assert.InRange(kills, 1, 6);
        Assert.Empty(Directory.EnumerateFiles(_dir.File("out"), "*.inprogress", SearchOption.AllDirectories));
        Assert.Equal(80_014, expected.Count); // 4 × 20,000 and the broken file's 14 good rows
        Assert.Equal(expected, Rows(_dir.File("out")));
        await using var state = await SqliteStateStore.OpenAsync(_dir.File("state.db"));
        var letters = await state.ListDeadLettersAsync(new DeadLetterQuery(Pipeline: "flights-typed", Limit: 10_000));
        Assert.Equal(41, letters.Select(l => (l.File, l.Line)).Distinct().Count());
        Assert.Equal(41, letters.Count);
    }

    private Process Start(string data)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "TypedFlights.dll"),
                     "--checkpoint-every", "5000", data, _dir.File("out"), _dir.File("state.db") })
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    /// <summary>Every row of the Parquet files in <paramref name="folder"/>, rendered, sorted (checkpoints publish
    /// part files whose order across runs is not the input's).</summary>
    private static List<string> Rows(string folder) =>
        FlightsExample.ReadParquet(Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories))
            .SelectMany(b => Enumerable.Range(0, b.Length).Select(i => string.Join("|",
                ((Apache.Arrow.TimestampArray)b.Column(0)).Values[i], ((Apache.Arrow.Int64Array)b.Column(1)).GetValue(i),
                ((Apache.Arrow.Int64Array)b.Column(2)).GetValue(i), ((Apache.Arrow.StringArray)b.Column(3)).GetString(i),
                ((Apache.Arrow.BooleanArray)b.Column(4)).GetValue(i))))
            .Order(StringComparer.Ordinal).ToList();

    public void Dispose() => _dir.Dispose();
}
