using System.Globalization;
using System.Text;
using Apache.Arrow;

namespace Sluice.Tests.Examples;

/// <summary>
/// The flights example's data read independently of Sluice: the expected outcome of every row of the broken file
/// comes from its hand-written manifest, and the expected output is computed from the raw lines with plain string
/// splitting, so the end-to-end tests compare Sluice against something it did not produce.
/// </summary>
internal static class FlightsExample
{
    public static string Folder { get; } = Path.Combine(RepoRoot(), "examples", "flights");

    /// <summary>Copies the example (pipeline files and data) to <paramref name="target"/>, so runs leave no output in the repo.</summary>
    public static void CopyTo(string target)
    {
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}out{Path.DirectorySeparatorChar}") && !f.Contains(".sluice")))
        {
            string to = Path.Combine(target, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    public sealed record ManifestRow(int Line, string Outcome, string Rule, string Field);

    public static IReadOnlyList<ManifestRow> Manifest() =>
        File.ReadAllLines(Path.Combine(Folder, "data", "flights-broken.expected.tsv")).Skip(1)
            .Select(l => l.Split('\t'))
            .Select(p => new ManifestRow(int.Parse(p[0], CultureInfo.InvariantCulture), p[1], p[2], p.Length > 3 ? p[3] : ""))
            .ToList();

    /// <summary>The physical lines of a data file as bytes (1-based: element 0 is line 1), without line breaks.</summary>
    public static IReadOnlyList<byte[]> RawLines(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, "data", file));
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }
        return lines;
    }

    /// <summary>A flight as the contract should type it.</summary>
    public sealed record Flight(long DateMicros, long? Delay, long Distance, string Origin, string Destination);

    /// <summary>Every row that passes the contract: all of flights-20k.csv and the manifest's ok and filtered rows.</summary>
    public static IReadOnlyList<Flight> ValidFlights()
    {
        var rows = RawLines("flights-20k.csv").Skip(1).Select(Parse).ToList();
        var broken = RawLines("flights-broken.csv");
        rows.AddRange(Manifest().Where(m => m.Outcome is "ok" or "filtered").Select(m => Parse(broken[m.Line - 1])));
        return rows;
    }

    private static Flight Parse(byte[] line)
    {
        var f = Encoding.UTF8.GetString(line).Split(',').Select(v => v.Trim('"')).ToArray();
        var date = DateTime.ParseExact(f[0], "yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return new Flight((date - DateTime.UnixEpoch).Ticks / 10, f[1] == "" ? null : long.Parse(f[1], CultureInfo.InvariantCulture),
            long.Parse(f[2], CultureInfo.InvariantCulture), f[3], f[4]);
    }

    /// <summary>An order-independent checksum of rows: the sum of a 64-bit FNV-1a hash of each row's text.</summary>
    public static ulong Checksum(IEnumerable<string> rows)
    {
        ulong sum = 0;
        foreach (var row in rows)
        {
            ulong hash = 14695981039346656037;
            foreach (byte b in Encoding.UTF8.GetBytes(row))
            {
                hash = (hash ^ b) * 1099511628211;
            }
            sum += hash;
        }
        return sum;
    }

    public static List<RecordBatch> ReadParquet(IEnumerable<string> files)
    {
        var batches = new List<RecordBatch>();
        foreach (var file in files)
        {
            using var reader = new ParquetSharp.Arrow.FileReader(file);
            using var batchReader = reader.GetRecordBatchReader();
            while (batchReader.ReadNextRecordBatchAsync().AsTask().Result is { } batch)
            {
                batches.Add(batch);
            }
        }
        return batches;
    }

    internal static string RepoRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Sluice.slnx")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }
        return dir;
    }
}
