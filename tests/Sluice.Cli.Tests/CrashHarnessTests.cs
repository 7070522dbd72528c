using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.CrashHarness;
using Sluice.CrashHarness.Flows;
using Sluice.CrashHarness.Services;
using StackExchange.Redis;

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

    [Theory]
    [InlineData("redis")]
    [InlineData("nats")]
    public async Task Services_quick_mode_streams_into_postgres_through_random_kills_and_every_crash_point_exactly_once(string stream)
    {
        using var temp = new TempDir();
        var log = new StringWriter();
        var trials = new ServiceTrials(new HarnessOptions { Quick = true, Services = stream, WorkFolder = Path.Combine(temp.Path, "services") }, log);

        bool passed = await trials.RunAsync();

        Assert.True(passed, log.ToString());
        Assert.Equal(1 + 3 + ServiceTrials.Points.Length, trials.Total); // baseline, random-kill seeds 1..3, crash points
        // The crash points kill 5 times (during-resume twice); the two --follow seeds at least once more each.
        Assert.True(trials.Kills >= 7, $"only {trials.Kills} kills\n{log}");
        foreach (string point in ServiceTrials.Points)
        {
            Assert.Contains($"PASS point-{point}: crashed at {point}", log.ToString());
        }
    }

    [Fact]
    public void Services_verifier_accepts_exactly_the_expected_rows_and_rejects_a_duplicated_a_missing_or_a_changed_one()
    {
        var entries = ServiceData.Generate(7, 600);
        var expected = ServiceData.Expect(entries, Positions(entries.Count), "orders");
        var good = entries.Where(e => e.Fault == EntryFault.None && e.Row.Grp != 0).Select(e => e.Row).ToList();
        Assert.True(expected.Dead >= 3 && expected.Filtered > 0, "the data plants bad entries and rows the filter drops");

        Assert.Empty(ServiceVerifier.CheckRows(good, expected));
        Assert.Contains($"1 rows written more than once: {good[10].Id}×2",
            ServiceVerifier.CheckRows([.. good, good[10]], expected));
        Assert.Contains($"1 rows missing: {good[42].Id}",
            ServiceVerifier.CheckRows(good.Where((_, i) => i != 42).ToList(), expected));
        Assert.Contains(ServiceVerifier.CheckRows(good.Select((r, i) => i == 5 ? r with { Tag = r.Tag + "!" } : r).ToList(), expected),
            p => p.StartsWith("table checksum", StringComparison.Ordinal));
    }

    [Fact]
    public void Services_verifier_rejects_a_dead_letter_stored_twice_missing_or_from_the_wrong_stage()
    {
        using var temp = new TempDir();
        var entries = ServiceData.Generate(7, 600);
        var expected = ServiceData.Expect(entries, Positions(entries.Count), "orders");
        var letters = expected.DeadLetters.OrderBy(l => l.Key.Position, StringComparer.Ordinal).ToList();
        var contract = letters.SkipLast(1).First(l => l.Value.Stage == "contract"); // the last entry is a contract letter too, left out below
        string state = temp.File("state.db");
        using (var connection = new SqliteConnection($"Data Source={state};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE dead_letters (input TEXT NOT NULL, position TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL, rule TEXT)";
            create.ExecuteNonQuery();
            void Insert(string position, ExpectedLetter letter)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO dead_letters VALUES ('orders', $position, $stage, $reason, $rule)";
                insert.Parameters.AddWithValue("$position", position);
                insert.Parameters.AddWithValue("$stage", letter.Stage);
                insert.Parameters.AddWithValue("$reason", letter.Reason);
                insert.Parameters.AddWithValue("$rule", (object?)letter.Rule ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }
            foreach (var (key, letter) in letters.SkipLast(1))
            {
                Insert(key.Position, key == contract.Key ? letter with { Stage = "sink", Reason = "sink", Rule = null } : letter);
            }
            Insert(letters[0].Key.Position, letters[0].Value); // the first one twice
        }

        var problems = ServiceVerifier.CheckDeadLetters(state, expected);

        Assert.Contains($"1 dead letters stored more than once: orders:{letters[0].Key.Position}×2", problems);
        Assert.Contains($"1 dead letters missing: orders:{letters[^1].Key.Position} ({letters[^1].Value})", problems);
        Assert.Contains($"1 dead letters from the wrong stage or for the wrong reason: orders:{contract.Key.Position} (sink/sink, expected contract/parse/type)", problems);
    }

    [Fact]
    public async Task Services_verifier_rejects_an_entry_left_pending_or_never_delivered()
    {
        await using var stream = await RedisStreamUnderTest.StartAsync();
        await using var client = await ConnectionMultiplexer.ConnectAsync(stream.ConnectionString);
        var db = client.GetDatabase();
        var trial = new TrialNames("verifier");
        var entries = ServiceData.Generate(7, 20).Where(e => e.Fault == EntryFault.None).ToList();
        var positions = await stream.AddAsync(trial, entries);
        await db.StreamCreateConsumerGroupAsync(trial.Stream, trial.Group, "0");

        // Delivered up to the last but one and never acknowledged: one pending entry too many, the last never read.
        var read = await db.StreamReadGroupAsync(trial.Stream, trial.Group, trial.Consumer, ">", entries.Count - 1);
        await db.StreamAcknowledgeAsync(trial.Stream, trial.Group, [.. read.Skip(1).Select(e => e.Id)]);
        var problems = await stream.CheckDrainedAsync(trial, positions[^1]);

        Assert.Contains(problems, p => p.StartsWith($"1 entries still pending in group 'crash' of stream '{trial.Stream}'", StringComparison.Ordinal) && p.Contains($"{read[0].Id} to {trial.Consumer}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"short of the last entry produced, {positions[^1]}", StringComparison.Ordinal));

        var rest = await db.StreamReadGroupAsync(trial.Stream, trial.Group, trial.Consumer, ">", 10);
        await db.StreamAcknowledgeAsync(trial.Stream, trial.Group, [read[0].Id, .. rest.Select(e => e.Id)]);
        Assert.Empty(await stream.CheckDrainedAsync(trial, positions[^1]));
    }

    private static List<string> Positions(int count) =>
        [.. Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{1_700_000_000_000 + i}-0"))];

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
    public async Task Flow_quick_mode_kills_a_flow_mid_run_and_no_completed_task_runs_again()
    {
        using var temp = new TempDir();
        var log = new StringWriter();
        var trials = new FlowTrials(new HarnessOptions { Quick = true, Flows = true, WorkFolder = Path.Combine(temp.Path, "flows") }, log);

        bool passed = await trials.RunAsync();

        Assert.True(passed, log.ToString());
        Assert.Equal(1 + 3, trials.Total); // baseline, random-kill seeds 1..3
        // The first kill of a seed always lands (it comes within the first half of a whole run); the second may not: a
        // resumed run has less left to do and can end first.
        Assert.True(trials.Kills >= 3, $"only {trials.Kills} kills\n{log}");
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
