using Microsoft.Data.Sqlite;
using Sluice.CrashHarness;
using Sluice.CrashHarness.Flows;

namespace Sluice.Cli.Tests;

/// <summary>What makes the crash harness's flow mode a proof: its verifier passes one real, uninterrupted flow run
/// and rejects the same run doctored — a command started after its completion was recorded, a second completed
/// event, a row written twice, a wrong per-file sum and a wrong total.</summary>
public sealed class FlowCrashHarnessVerifierTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<FlowInput> RunFlowAsync()
    {
        var input = FlowInput.Write(_dir.File(FlowLayout.InputFolder), seed: 7, files: 3, rowsPerFile: 2_000);
        FlowLayout.Write(_dir.Path, everyRecords: 1_000, maxRowsPerFile: 500);
        Harness.ExpectSuccess(await new SluiceCli(Harness.FindSluiceDll()).FlowRunAsync(_dir.Path), "the flow run");
        Assert.Empty(FlowVerifier.Verify(_dir.Path, input));
        return input;
    }

    private FlowState State => FlowState.Read(SluiceCli.StatePath(_dir.Path));

    [Fact]
    public async Task A_command_started_after_its_completion_was_recorded_is_a_task_run_again_but_not_within_the_clock_tick()
    {
        var input = await RunFlowAsync();
        var sum = State.Tasks.First(r => r.Task == FlowLayout.Sum && r.Instance == 1);
        long completed = State.Completions.Single(c => c.Task == sum.Task && c.Instance == sum.Instance).At;
        string ledger = _dir.File(FlowLayout.LedgerFile);
        var lines = LedgerLine.Read(ledger);
        int start = lines.FindIndex(l => l is { What: "START" } && l.Task == sum.Task && l.Item == sum.Item && l.Attempt == sum.Attempts);
        void MoveStart(long ns) => File.WriteAllLines(ledger, lines.Select((l, i) => (i == start ? l with { Nanoseconds = ns } : l).ToString()));

        // Within the 100 ns tick the state file cut off, the START may still have come first: not a finding.
        MoveStart(completed + FlowVerifier.Tick - 1);
        Assert.Empty(FlowVerifier.Verify(_dir.Path, input));
        MoveStart(completed + 2_000_000);
        File.AppendAllText(ledger, new LedgerLine("START", sum.Task, sum.Item, State.RunId!, sum.Attempts + 1, completed + 3_000_000) + "\n");
        var problems = FlowVerifier.Verify(_dir.Path, input);

        Assert.Contains(problems, p => p.StartsWith($"{sum.Name} ran again after it completed: attempt {sum.Attempts} started", StringComparison.Ordinal)
            && p.Contains("2.000 ms after its completion", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{sum.Name} ran again after it completed: attempt {sum.Attempts + 1} started", StringComparison.Ordinal));
        Assert.Contains($"{sum.Name}: attempt {sum.Attempts + 1} started, but task_runs counts {sum.Attempts} attempts", problems);
    }

    [Fact]
    public async Task A_second_completed_event_or_an_attempt_started_twice_is_rejected()
    {
        var input = await RunFlowAsync();
        var prepare = State.Tasks.Single(r => r.Task == FlowLayout.Prepare);
        File.AppendAllText(_dir.File(FlowLayout.LedgerFile), new LedgerLine("START", prepare.Task, null, State.RunId!, prepare.Attempts, 1) + "\n");
        using (var connection = new SqliteConnection($"Data Source={SluiceCli.StatePath(_dir.Path)};Pooling=False"))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO task_events (flow_run_id, task, instance, state, attempt, at)
                SELECT flow_run_id, task, instance, state, attempt, at FROM task_events WHERE task = 'prepare' AND state = 'completed'
                """;
            Assert.Equal(1, insert.ExecuteNonQuery());
        }

        var problems = FlowVerifier.Verify(_dir.Path, input);

        Assert.Contains("prepare has 2 completed events in task_events, expected 1", problems);
        Assert.Contains($"prepare: attempt {prepare.Attempts} started 2 times", problems);
    }

    [Fact]
    public async Task A_row_written_twice_a_wrong_sum_and_a_wrong_total_are_rejected()
    {
        var input = await RunFlowAsync();
        string part = Directory.GetFiles(_dir.File(FlowLayout.OutputFolder), "*.jsonl").Order(StringComparer.Ordinal).First();
        File.AppendAllText(part, File.ReadLines(part).First() + "\n");
        string sum = _dir.File(FlowLayout.SumFile("a-0.csv"));
        File.WriteAllText(sum, $"{input.Sums["a-0.csv"].Rows} {input.Sums["a-0.csv"].Amount + 1}\n");
        File.WriteAllText(_dir.File($"{FlowLayout.SumsFolder}/a-0.txt.tmp.123"), "");

        var problems = FlowVerifier.Verify(_dir.Path, input);

        Assert.Contains(problems, p => p.StartsWith("1 rows written more than once", StringComparison.Ordinal));
        Assert.Contains($"{FlowLayout.SumFile("a-0.csv")} holds '{input.Sums["a-0.csv"].Rows} {input.Sums["a-0.csv"].Amount + 1}', expected '{input.Sums["a-0.csv"].Text}' (rows, amount)", problems);
        Assert.Contains($"{FlowLayout.SumsFolder}/a-0.txt.tmp.123 should not be there", problems);
        // The total was computed from the right sums: doctoring them afterwards does not reach it, so its check needs
        // input it disagrees with.
        Assert.Contains(FlowVerifier.CheckResults(State, input with { Sums = input.Sums.ToDictionary(s => s.Key, s => s.Value with { Rows = s.Value.Rows + 1 }) }),
            p => p.StartsWith("total's result", StringComparison.Ordinal));
    }
}
