using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.CrashHarness;

namespace Sluice.Cli.Tests;

/// <summary>The proof of exactly-once across kill -9 (issue 5), in the crash harness's quick mode, and the checks
/// that make it a proof: its verifier rejects a duplicated, a missing or an unpublished row.</summary>
public sealed class CrashHarnessTests
{
    [Fact]
    public async Task Quick_mode_survives_random_kills_and_every_crash_point_exactly_once()
    {
        using var temp = new TempDir();
        var log = new StringWriter();
        var harness = new Harness(new HarnessOptions { Quick = true, WorkFolder = Path.Combine(temp.Path, "trials") }, log);

        bool passed = await harness.RunAsync();

        Assert.True(passed, log.ToString());
        Assert.True(harness.Kills >= 10, $"only {harness.Kills} kills\n{log}");
        Assert.Equal(3 + 6 + 6, harness.Total); // baselines, random-kill seeds 1..6, crash points
    }

    [Fact]
    public async Task Typed_mode_drives_the_csharp_pipeline_through_random_kills_exactly_once()
    {
        using var temp = new TempDir();
        var log = new StringWriter();
        var trials = new TypedFlightsTrials(new HarnessOptions { Quick = true, Typed = true, WorkFolder = Path.Combine(temp.Path, "typed") }, log);

        bool passed = await trials.RunAsync();

        Assert.True(passed, log.ToString());
        Assert.True(trials.Kills >= 6, $"only {trials.Kills} kills\n{log}"); // at least two per trial
        Assert.Equal(3, log.ToString().Split('\n').Count(l => l.StartsWith("pass seed", StringComparison.Ordinal)));
    }

    [Fact]
    public void Verifier_accepts_exactly_the_expected_rows()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        WriteJsonl(temp.File("out/part-1.jsonl"), data.ExpectedRows.Take(300));
        WriteJsonl(temp.File("out/part-2.jsonl"), data.ExpectedRows.Skip(300));

        Assert.Empty(Verifier.CheckOutput(temp.File("out"), data.Expected));
        Assert.True(data.Expected.Dead >= 2); // the two forced bad rows at least
        Assert.True(data.Expected.Filtered > 0);
    }

    [Fact]
    public void Verifier_rejects_a_row_written_twice()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        WriteJsonl(temp.File("out/part-1.jsonl"), data.ExpectedRows);
        WriteJsonl(temp.File("out/part-2.jsonl"), data.ExpectedRows.Skip(10).Take(1));

        var problems = Verifier.CheckOutput(temp.File("out"), data.Expected);

        Assert.Contains(problems, p => p.StartsWith($"1 rows written more than once: {data.ExpectedRows[10].Id}×2", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_rejects_a_missing_row_and_a_leftover_in_progress_file()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        WriteJsonl(temp.File("out/part-1.jsonl"), data.ExpectedRows.Where((_, i) => i != 42));
        WriteJsonl(temp.File("out/part-2.jsonl.inprogress"), data.ExpectedRows.Skip(42).Take(1));

        var problems = Verifier.CheckOutput(temp.File("out"), data.Expected);

        Assert.Contains("in-progress file left behind: part-2.jsonl.inprogress", problems);
        Assert.Contains($"1 rows missing: {data.ExpectedRows[42].Id}", problems);
    }

    [Fact]
    public void Verifier_rejects_a_changed_value()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        WriteJsonl(temp.File("out/part-1.jsonl"), data.ExpectedRows.Select((r, i) => i == 5 ? r with { Grp = r.Grp + 1 } : r));

        var problems = Verifier.CheckOutput(temp.File("out"), data.Expected);

        Assert.Contains(problems, p => p.StartsWith("output checksum", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_rejects_a_dead_letter_stored_twice_or_missing()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        var dead = data.Expected.DeadLetters.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ToList();
        string state = temp.File("state.db");
        using (var connection = new SqliteConnection($"Data Source={state};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE dead_letters (input TEXT NOT NULL, position TEXT NOT NULL)";
            create.ExecuteNonQuery();
            // The first one twice, the last one not at all.
            foreach (var (file, line) in dead.Prepend(dead[0]).SkipLast(1))
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO dead_letters VALUES ($file, $line)";
                insert.Parameters.AddWithValue("$file", Path.Combine(temp.Path, "data", file));
                insert.Parameters.AddWithValue("$line", line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                insert.ExecuteNonQuery();
            }
        }

        var problems = Verifier.CheckDeadLetters(state, data.Expected);

        Assert.Equal(
        [
            $"1 dead letters stored more than once: {dead[0].File}:{dead[0].Line}×2",
            $"1 dead letters missing: {dead[^1].File}:{dead[^1].Line}",
        ], problems);
    }

    [Fact]
    public void Verifier_checks_the_totals_line()
    {
        using var temp = new TempDir();
        var data = DataSet.Write(temp.File("data"), seed: 7, files: 2, rowsPerFile: 500);
        var e = data.Expected;
        string Line(long outRows) => string.Create(CultureInfo.InvariantCulture, $"in {e.In:N0} = out {outRows:N0} + dead {e.Dead} + filtered {e.Filtered}\n");

        Assert.Empty(Verifier.CheckTotals(Line(e.Out), e));
        Assert.Single(Verifier.CheckTotals(Line(e.Out + 1), e));
        Assert.Single(Verifier.CheckTotals("no totals here", e));
    }

    private static void WriteJsonl(string path, IEnumerable<OutputRow> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $$"""{"id":{{r.Id}},"grp":{{r.Grp}},"amount":{{(r.Amount is { } a ? a.ToString(CultureInfo.InvariantCulture) : "null")}},"name":{{JsonSerializer.Serialize(r.Name)}}}""")));
    }
}
