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
            foreach (var (id, hash) in OutputReader.Read(file))
            {
                rows++;
                checksum += hash;
                if (id >= 1 && id <= expected.MaxId)
                {
                    counts[id]++;
                }
                else
                {
                    strangers.Add(id);
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
            query.CommandText = "SELECT input, CAST(position AS INTEGER) FROM dead_letters";
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

    /// <summary>Summed over the pipeline's succeeded runs (of kind <c>pipeline</c>, not replays), the stored totals count every record once: a resumed
    /// run carries its earlier attempts' counts, and a re-run over consumed files counts nothing.</summary>
    public static List<string> CheckStoredTotals(string statePath, Expected expected) =>
        CheckStoredTotals(statePath, expected.In, expected.Out, expected.Dead, expected.Filtered);

    /// <summary>As <see cref="CheckStoredTotals(string, Expected)"/>, for any expected totals (the services mode's too).</summary>
    public static List<string> CheckStoredTotals(string statePath, long @in, long @out, long dead, long filtered)
    {
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT coalesce(sum(records_read), 0), coalesce(sum(records_written), 0), coalesce(sum(dead_lettered), 0), coalesce(sum(filtered), 0)
            FROM runs WHERE state = 'succeeded' AND kind = 'pipeline'
            """;
        using var reader = query.ExecuteReader();
        reader.Read();
        long[] got = [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)];
        long[] want = [@in, @out, dead, filtered];
        return got.SequenceEqual(want)
            ? []
            : [$"succeeded runs stored in {got[0]} = out {got[1]} + dead {got[2]} + filtered {got[3]}, expected in {want[0]} = out {want[1]} + dead {want[2]} + filtered {want[3]}"];
    }

    /// <summary>After the replay phase: the output holds every good row and every replayed row once, only the csv
    /// source's letters are left, each replayed at least once, and the replay runs' stored totals account for every
    /// contract letter once (<see cref="CheckReplayTotals"/>).</summary>
    public static List<string> VerifyReplay(string folder, Scenario scenario, Expected expected, string lastStdout)
    {
        var after = expected.AfterReplay();
        string state = SluiceCli.StatePath(folder);
        var problems = CheckOutput(Path.Combine(folder, Scenario.OutputFolder), after);
        problems.AddRange(CheckDeadLetters(state, after));
        problems.AddRange(CheckReplayedLetters(state, scenario));
        problems.AddRange(CheckStoredTotals(state, expected));
        // CheckOutput has compared the output's row count with after.Out.
        problems.AddRange(CheckReplayTotals(state, expected, after.Out));
        problems.AddRange(CheckReplayLines(state, lastStdout));
        return problems;
    }

    /// <summary>Every dead letter left was replayed at least once (attempts ≥ 2), is the csv source's (reason
    /// <c>parse</c>, rule <c>field_count</c>) and names the stage that reads its file (in a union, the source of that
    /// half: a replay must give each letter back to its own source).</summary>
    public static List<string> CheckReplayedLetters(string statePath, Scenario scenario)
    {
        var problems = new List<string>();
        var once = new List<string>();
        var wrong = new List<string>();
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT input, CAST(position AS INTEGER) AS line, stage, reason, coalesce(rule, ''), attempts FROM dead_letters ORDER BY input, line";
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            string file = Path.GetFileName(reader.GetString(0));
            string letter = string.Create(CultureInfo.InvariantCulture, $"{file}:{reader.GetInt64(1)}");
            if (reader.GetInt64(5) < 2)
            {
                once.Add($"{letter} (attempts {reader.GetInt64(5)})");
            }
            string stage = reader.GetString(2), reason = reader.GetString(3), rule = reader.GetString(4);
            if (stage != scenario.SourceStage(file) || reason != "parse" || rule != "field_count")
            {
                wrong.Add($"{letter} (stage {stage}, reason {reason}, rule {rule}; expected stage {scenario.SourceStage(file)}, parse, field_count)");
            }
        }
        Report(problems, "dead letters never replayed", once);
        Report(problems, "dead letters not from their file's source", wrong);
        return problems;
    }

    /// <summary>
    /// The replay runs' stored totals account for every contract letter once and for every replayed attempt of the
    /// others. A replay run is never resumed: a killed one is recorded failed by the command that settles it, with
    /// its last checkpoint's totals (what it published), and a succeeded one with its own. Then, summed over replay
    /// runs: in = out + dead + filtered; out = the replayed rows; filtered = the contract letters the fixed filter
    /// drops; dead = Σ (attempts − 1) over the letters left (each committed failure of a letter adds one attempt);
    /// and the pipeline's succeeded runs' out plus the replays' out is the number of rows in the output
    /// (<paramref name="outputRows"/>).
    /// </summary>
    public static List<string> CheckReplayTotals(string statePath, Expected expected, long outputRows)
    {
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        long read = 0, written = 0, filtered = 0, dead = 0;
        int runs = 0, settled = 0;
        using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT state, records_read, records_written, filtered, dead_lettered FROM runs WHERE kind = 'replay'";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                runs++;
                settled += reader.GetString(0) == "succeeded" ? 0 : 1;
                read += reader.GetInt64(1);
                written += reader.GetInt64(2);
                filtered += reader.GetInt64(3);
                dead += reader.GetInt64(4);
            }
        }
        long extraAttempts, pipelineWritten;
        using (var query = connection.CreateCommand())
        {
            query.CommandText = """
                SELECT (SELECT coalesce(sum(attempts - 1), 0) FROM dead_letters),
                       (SELECT coalesce(sum(records_written), 0) FROM runs WHERE kind = 'pipeline' AND state = 'succeeded')
                """;
            using var reader = query.ExecuteReader();
            reader.Read();
            extraAttempts = reader.GetInt64(0);
            pipelineWritten = reader.GetInt64(1);
        }
        var problems = new List<string>();
        string stored = $"{runs} replay runs ({settled} killed and settled) stored in {read} = out {written} + dead {dead} + filtered {filtered}";
        if (runs == 0)
        {
            problems.Add("no replay run in the state file");
        }
        if (read != written + dead + filtered)
        {
            problems.Add($"{stored}: does not add up");
        }
        if (written != expected.ReplayedRows.Count || filtered != expected.ReplayFiltered || dead != extraAttempts)
        {
            problems.Add($"{stored}, expected out {expected.ReplayedRows.Count}, filtered {expected.ReplayFiltered}, dead {extraAttempts} (the letters' attempts − 1)");
        }
        if (pipelineWritten + written != outputRows)
        {
            problems.Add($"succeeded pipeline runs wrote {pipelineWritten} and replay runs {written}, but the output has {outputRows} rows");
        }
        return problems;
    }

    /// <summary>Each <c>replay run ID succeeded: N written, M dead-lettered again …, F filtered</c> line the last
    /// replay printed says what the state file stores for that run; there is at least one.</summary>
    public static List<string> CheckReplayLines(string statePath, string stdout)
    {
        var lines = ReplayLine().Matches(stdout);
        if (lines.Count == 0)
        {
            return ["the last replay printed no 'replay run … succeeded: N written, M dead-lettered again (one attempt more), F filtered' line"];
        }
        var problems = new List<string>();
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        foreach (Match line in lines)
        {
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT state, records_written, dead_lettered, filtered FROM runs WHERE id = $id AND kind = 'replay'";
            query.Parameters.AddWithValue("$id", line.Groups[1].Value);
            using var reader = query.ExecuteReader();
            long Number(int group) => long.Parse(line.Groups[group].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            if (!reader.Read())
            {
                problems.Add($"'{line.Value}': no such replay run in the state file");
            }
            else if (reader.GetString(0) != "succeeded" || reader.GetInt64(1) != Number(2) || reader.GetInt64(2) != Number(3) || reader.GetInt64(3) != Number(4))
            {
                problems.Add($"'{line.Value}', but the state file stores {reader.GetString(0)}: {reader.GetInt64(1)} written, {reader.GetInt64(2)} dead-lettered, {reader.GetInt64(3)} filtered");
            }
        }
        return problems;
    }

    private static void Report<T>(List<string> problems, string what, List<T> items)
    {
        if (items.Count > 0)
        {
            problems.Add($"{items.Count} {what}: {string.Join(", ", items.Take(Shown))}{(items.Count > Shown ? ", …" : "")}");
        }
    }

    [GeneratedRegex(@"replay run (\S+) succeeded: ([\d,]+) written, ([\d,]+) dead-lettered again \(one attempt more\), ([\d,]+) filtered")]
    private static partial Regex ReplayLine();

    [GeneratedRegex(@"in ([\d,]+) [=≠] out ([\d,]+) \+ dead ([\d,]+) \+ filtered ([\d,]+)")]
    private static partial Regex TotalsLine();
}
