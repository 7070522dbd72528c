using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Sluice.CrashHarness.Services;

/// <summary>Compares what a finished services trial left behind — the PostgreSQL table, the stream's consumer group and
/// the state file — with <see cref="ServiceExpected"/>; every method returns the problems it found (none: exactly
/// once).</summary>
internal static partial class ServiceVerifier
{
    private const int Shown = 5;

    public static async Task<List<string>> VerifyAsync(string folder, NpgsqlDataSource postgres, IStreamUnderTest stream, TrialNames trial,
        ServiceExpected expected, string lastStdout)
    {
        var problems = CheckRows(await ReadRowsAsync(postgres, trial), expected);
        problems.AddRange(await CheckLeftoversAsync(postgres, trial));
        problems.AddRange(await stream.CheckDrainedAsync(trial, expected.LastPosition));
        string state = SluiceCli.StatePath(folder);
        problems.AddRange(CheckDeadLetters(state, expected));
        if (File.Exists(state))
        {
            problems.AddRange(Verifier.CheckStoredTotals(state, expected.In, expected.Out, expected.Dead, expected.Filtered));
        }
        problems.AddRange(CheckTotalsLine(lastStdout));
        return problems;
    }

    /// <summary>The rows of the trial's table.</summary>
    public static async Task<List<ServiceRow>> ReadRowsAsync(NpgsqlDataSource postgres, TrialNames trial)
    {
        var rows = new List<ServiceRow>();
        await using var command = postgres.CreateCommand($"SELECT id, grp, amount, name, tag FROM {trial.Table}");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new ServiceRow(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }

    /// <summary>The table holds exactly the expected rows: every good entry's id once, none twice, no other, the same
    /// count and the same order-independent checksum of the values.</summary>
    public static List<string> CheckRows(IReadOnlyList<ServiceRow> rows, ServiceExpected expected)
    {
        var problems = new List<string>();
        var counts = new Dictionary<long, int>();
        ulong checksum = 0;
        foreach (var row in rows)
        {
            counts[row.Id] = counts.GetValueOrDefault(row.Id) + 1;
            checksum += row.Hash();
        }
        Report(problems, "rows written more than once", counts.Where(c => c.Value > 1).OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}").ToList());
        Report(problems, "rows missing", expected.OutputIds.Where(id => !counts.ContainsKey(id)).Order().ToList());
        Report(problems, "rows that should not be in the table", counts.Keys.Where(id => !expected.OutputIds.Contains(id)).Order().ToList());
        if (rows.Count != expected.Out)
        {
            problems.Add($"the table has {rows.Count} rows, expected {expected.Out}");
        }
        if (checksum != expected.Checksum)
        {
            problems.Add($"table checksum {checksum:x16}, expected {expected.Checksum:x16} (a value differs)");
        }
        return problems;
    }

    /// <summary>The trial's schema holds the table and the sink's markers and nothing else: a staging table left
    /// behind is output that was prepared and neither published nor discarded.</summary>
    public static async Task<List<string>> CheckLeftoversAsync(NpgsqlDataSource postgres, TrialNames trial)
    {
        await using var command = postgres.CreateCommand(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname NOT IN ('events', 'sluice_commits') ORDER BY 1");
        command.Parameters.Add(new NpgsqlParameter { Value = trial.Schema });
        var left = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            left.Add(reader.GetString(0));
        }
        var problems = new List<string>();
        Report(problems, $"staging tables left behind in schema {trial.Schema}", left);
        return problems;
    }

    /// <summary>The state file holds one dead letter per planted bad entry (by input and position), from the stage
    /// that must reject it with its reason (and rule), and no other.</summary>
    public static List<string> CheckDeadLetters(string statePath, ServiceExpected expected)
    {
        if (!File.Exists(statePath))
        {
            return [$"no state file at {statePath}"];
        }
        var found = new Dictionary<(string, string), List<(string Stage, string Reason, string? Rule)>>();
        using (var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT input, position, stage, reason, rule FROM dead_letters";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!found.TryGetValue(key, out var letters))
                {
                    found[key] = letters = [];
                }
                letters.Add((reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }
        static string Describe((string Stage, string Reason, string? Rule) l) => $"{l.Stage}/{l.Reason}{(l.Rule is null ? "" : "/" + l.Rule)}";
        var problems = new List<string>();
        Report(problems, "dead letters stored more than once", found.Where(f => f.Value.Count > 1).Select(f => $"{f.Key.Item1}:{f.Key.Item2}×{f.Value.Count}").ToList());
        Report(problems, "dead letters missing", expected.DeadLetters.Keys.Where(d => !found.ContainsKey(d)).Select(d => $"{d.Input}:{d.Position} ({expected.DeadLetters[d]})").ToList());
        Report(problems, "dead letters for good entries", found.Keys.Where(k => !expected.DeadLetters.ContainsKey(k)).Select(k => $"{k.Item1}:{k.Item2} ({Describe(found[k][0])})").ToList());
        Report(problems, "dead letters from the wrong stage or for the wrong reason", found
            .Where(f => expected.DeadLetters.TryGetValue(f.Key, out var letter) && f.Value.Any(l => !letter.Matches(l.Stage, l.Reason, l.Rule)))
            .Select(f => $"{f.Key.Item1}:{f.Key.Item2} ({string.Join(", ", f.Value.Select(Describe))}, expected {expected.DeadLetters[f.Key]})").ToList());
        return problems;
    }

    /// <summary>The last run's totals line balances (<c>in N = out N + dead N + filtered N</c>, not ≠). It counts only
    /// that run's records — earlier runs read the rest — so only the stored totals are compared with the expected ones.</summary>
    public static List<string> CheckTotalsLine(string stdout)
    {
        var match = TotalsLine().Matches(stdout).LastOrDefault();
        return match is null
            ? ["the last run printed no totals line (in N = out N + dead N + filtered N)"]
            : match.Groups[1].Value == "=" ? [] : [$"the last run's totals do not balance: '{match.Value}'"];
    }

    private static void Report<T>(List<string> problems, string what, List<T> items)
    {
        if (items.Count > 0)
        {
            problems.Add($"{items.Count} {what}: {string.Join(", ", items.Take(Shown))}{(items.Count > Shown ? ", …" : "")}");
        }
    }

    [GeneratedRegex(@"in [\d,]+ ([=≠]) out [\d,]+ \+ dead [\d,]+ \+ filtered [\d,]+")]
    private static partial Regex TotalsLine();
}
