using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>
/// Memory is bounded by the channels, not by the input: the same pipeline over 100 times more rows must not use
/// anywhere near 100 times the memory. The bound is loose on purpose — the GC sizes its heap differently from run
/// to run (±30 MB here) — but holding the input would cost well over 150 MB at the larger size and break it.
/// The sink is JSONL so that the test measures the engine's own memory (channels, batches, contract, expressions):
/// the Parquet writer adds native row-group buffers of a fixed size, measured with the example by bench/memory.sh.
/// </summary>
public sealed class MemoryTests
{
    private const string Pipeline = """
        name: memory
        source: { type: csv, path: "in.csv" }
        contract:
          fields:
            date: { type: timestamp, required: true, format: "yyyy/MM/dd HH:mm" }
            delay: { type: int64, min: -120, max: 3000 }
            distance: { type: int64, required: true }
            origin: { type: string, pattern: "^[A-Z]{3}$" }
            destination: { type: string, pattern: "^[A-Z]{3}$" }
        transforms:
          - filter: distance > 100
          - derive: { route: origin || '-' || destination }
        sink: { type: jsonl, path: out }
        """;

    [Fact]
    public async Task Peak_memory_stays_flat_when_the_input_grows_a_hundredfold()
    {
        long small = await PeakMegabytesAsync(20_000);
        long large = await PeakMegabytesAsync(2_000_000);

        Assert.True(large < small * 2.5, $"peak memory {small} MB for 20k rows but {large} MB for 2M rows");
    }

    private static async Task<long> PeakMegabytesAsync(int rows)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "p.yaml"), Pipeline);
        WriteFlights(Path.Combine(dir.Path, "in.csv"), rows);

        var result = await SluiceProcess.RunAsync("run", Path.Combine(dir.Path, "p.yaml"));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains($"in {rows:N0} = out", result.Stdout);
        var peak = Regex.Match(result.Stdout, @"peak memory (\d+) MB");
        Assert.True(peak.Success, result.Stdout);
        return long.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void WriteFlights(string path, int rows)
    {
        string[] airports = ["SFO", "LAX", "JFK", "ORD", "DEN", "SEA", "ATL", "BOS"];
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("date,delay,distance,origin,destination\n");
        var start = new DateTime(2001, 1, 1);
        for (int i = 0; i < rows; i++)
        {
            writer.Write(start.AddMinutes(i).ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write((i % 200) - 50);
            writer.Write(',');
            writer.Write(50 + i % 3000);
            writer.Write(',');
            writer.Write(airports[i % 8]);
            writer.Write(',');
            writer.Write(airports[(i / 8) % 8]);
            writer.Write('\n');
        }
    }
}
