using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Sluice.CrashHarness;

/// <summary>Compares what a finished trial left behind with <see cref="Expected"/>; every method returns the
/// problems it found (none: exactly once).</summary>
internal static partial class Verifier
{
    private const int Shown = 5;

    public static List<string> Verify(string folder, Expected expected, string lastStdout)
    {
        var problems = CheckOutput(Path.Combine(folder, Scenario.OutputFolder), expected);
        problems.AddRange(CheckDeadLetters(SluiceCli.StatePath(folder), expected));
        problems.AddRange(CheckStoredTotals(SluiceCli.StatePath(folder), expected));
        // A kill after the run was recorded succeeded leaves nothing for the next run to read (its files are
        // consumed): its totals line then says "in 0", and only the stored totals speak for the work.
        if (!lastStdout.Contains("in 0 = out 0 + dead 0 + filtered 0", StringComparison.Ordinal))
        {
            problems.AddRange(CheckTotals(lastStdout, expected));
        }
        return problems;
    }

    /// <summary>The published part files hold exactly the expected rows, each once; no in-progress file is left.</summary>
    public static List<string> CheckOutput(string outFolder, Expected expected)
    {
        var problems = new List<string>();
        var counts = new int[expected.MaxId + 1];
        var strangers = new List<long>();
        long rows = 0;
        ulong checksum = 0;
        var files = Directory.Exists(outFolder) ? Directory.GetFiles(outFolder, "*", SearchOption.AllDirectories) : [];
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(".inprogress", StringComparison.Ordinal))
            {
                problems.Add($"in-progress file left behind: {Path.GetFileName(file)}");
                continue;
            }
            foreach (var row in OutputReader.Read(file))
            {
                rows++;
                checksum += row.Hash();
                if (row.Id >= 1 && row.Id <= expected.MaxId)
                {
                    counts[row.Id]++;
                }
                else
                {
                    strangers.Add(row.Id);
                }
            }
        }
        var twice = new List<string>();
        var missing = new List<long>();
        var unexpected = new List<long>(strangers);
        for (long id = 1; id <= expected.MaxId; id++)
        {
            bool wanted = expected.OutputIds.Contains(id);
            if (counts[id] > 1)
            {
                twice.Add($"{id}×{counts[id]}");
            }
            if (wanted && counts[id] == 0)
            {
                missing.Add(id);
            }
            if (!wanted && counts[id] > 0)
            {
                unexpected.Add(id);
            }
        }
        Report(problems, "rows written more than once", twice);
        Report(problems, "rows missing", missing);
        Report(problems, "rows that should not be in the output", unexpected);
        if (rows != expected.Out)
        {
            problems.Add($"output has {rows} rows, expected {expected.Out}");
        }
        if (checksum != expected.Checksum)
        {
            problems.Add($"output checksum {checksum:x16}, expected {expected.Checksum:x16} (a value differs)");
        }
        return problems;
    }

    /// <summary>The state file holds one dead letter for each bad row (by file name and line) and no other, over
    /// all runs of the trial.</summary>
    public static List<string> CheckDeadLetters(string statePath, Expected expected)
    {
        var problems = new List<string>();
        if (!File.Exists(statePath))
        {
            return [$"no state file at {statePath}"];
        }
        var found = new Dictionary<(string, long), int>();
        using (var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT file, line FROM dead_letters";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var key = (Path.GetFileName(reader.GetString(0)), reader.GetInt64(1));
                found[key] = found.GetValueOrDefault(key) + 1;
            }
        }
        Report(problems, "dead letters stored more than once", found.Where(f => f.Value > 1).Select(f => $"{f.Key.Item1}:{f.Key.Item2}×{f.Value}").ToList());
        Report(problems, "dead letters missing", expected.DeadLetters.Where(d => !found.ContainsKey(d)).Select(d => $"{d.File}:{d.Line}").ToList());
        Report(problems, "dead letters for good rows", found.Keys.Where(k => !expected.DeadLetters.Contains(k)).Select(k => $"{k.Item1}:{k.Item2}").ToList());
        return problems;
    }

    /// <summary>The last run's totals line (<c>in N = out N + dead N + filtered N</c>) counts the whole run.</summary>
    public static List<string> CheckTotals(string stdout, Expected expected)
    {
        var match = TotalsLine().Matches(stdout).LastOrDefault();
        if (match is null)
        {
            return ["the last run printed no totals line (in N = out N + dead N + filtered N)"];
        }
        long[] got = [.. Enumerable.Range(1, 4).Select(g => long.Parse(match.Groups[g].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))];
        long[] want = [expected.In, expected.Out, expected.Dead, expected.Filtered];
        return got.SequenceEqual(want)
            ? []
            : [$"totals line '{match.Value}', expected in {want[0]} = out {want[1]} + dead {want[2]} + filtered {want[3]}"];
    }

    /// <summary>Summed over the pipeline's succeeded runs, the stored totals count every record once: a resumed
    /// run carries its earlier attempts' counts, and a re-run over consumed files counts nothing.</summary>
    public static List<string> CheckStoredTotals(string statePath, Expected expected)
    {
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT coalesce(sum(records_read), 0), coalesce(sum(records_written), 0), coalesce(sum(dead_lettered), 0), coalesce(sum(filtered), 0)
            FROM runs WHERE state = 'succeeded'
            """;
        using var reader = query.ExecuteReader();
        reader.Read();
        long[] got = [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)];
        long[] want = [expected.In, expected.Out, expected.Dead, expected.Filtered];
        return got.SequenceEqual(want)
            ? []
            : [$"succeeded runs stored in {got[0]} = out {got[1]} + dead {got[2]} + filtered {got[3]}, expected in {want[0]} = out {want[1]} + dead {want[2]} + filtered {want[3]}"];
    }

    private static void Report<T>(List<string> problems, string what, List<T> items)
    {
        if (items.Count > 0)
        {
            problems.Add($"{items.Count} {what}: {string.Join(", ", items.Take(Shown))}{(items.Count > Shown ? ", …" : "")}");
        }
    }

    [GeneratedRegex(@"in ([\d,]+) [=≠] out ([\d,]+) \+ dead ([\d,]+) \+ filtered ([\d,]+)")]
    private static partial Regex TotalsLine();
}
