using System.Text;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice dlq replay</c> end to end: a run leaves dead letters, the contract is fixed, replay writes the
/// fixed records once and keeps the rest with one attempt more — also when the replay is killed half way.</summary>
public sealed class DlqReplayCommandTests : IDisposable
{
    // Ids 1..200; every 20th has amount 500 (over the first contract's max of 100); id 100 has -5 (under min 0 in
    // both contracts); id 150 is a broken CSV line.
    private static readonly int[] OverMax = Enumerable.Range(1, 200).Where(i => i % 20 == 0 && i != 100).ToArray();

    private readonly TempDir _dir = new();
    private readonly string _state;

    public DlqReplayCommandTests()
    {
        var csv = new StringBuilder("id,amount\n");
        for (int id = 1; id <= 200; id++)
            csv.Append(id == 150 ? "150,1,extra\n" : $"{id},{(id == 100 ? -5 : id % 20 == 0 ? 500 : 7)}\n");
        _dir.Write("data/orders.csv", csv.ToString());
        _state = _dir.File("state/state.db");
    }

    public void Dispose() => _dir.Dispose();

    private string Pipeline(int max) => _dir.Write("pipeline.yaml", $$"""
        name: orders
        source: { type: csv, path: data/*.csv }
        contract:
          fields:
            id: { type: int64, required: true }
            amount: { type: int64, min: 0, max: {{max}} }
        sink: { type: jsonl, path: out }
        """);

    private List<long> Output() => JsonlOutput.Ids(_dir.File("out"));

    private static IEnumerable<long> Expected => Enumerable.Range(1, 200).Where(i => i is not 100 and not 150).Select(i => (long)i);

    [Fact]
    public async Task Replay_after_fixing_the_contract_writes_the_fixed_records_once_and_reports_the_rest()
    {
        CliResult run = await TestSupport.Sluice.RunAsync("run", Pipeline(100), "--state", _state);
        Assert.Contains($"in 200 = out {200 - OverMax.Length - 2} + dead {OverMax.Length + 2} + filtered 0", run.Stdout);

        CliResult replay = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", Pipeline(1000), "--state", _state);

        Assert.Equal("", replay.Stderr);
        Assert.Equal(ExitCodes.Ok, replay.ExitCode);
        Assert.Contains($"replaying {OverMax.Length + 2} dead letters of pipeline 'orders' in 1 run", replay.Stdout);
        Assert.Contains($"letters from source 'source' (rejected by source 1, contract {OverMax.Length + 1})", replay.Stdout);
        Assert.Contains($"in {OverMax.Length + 2} = out {OverMax.Length} + dead 2 + filtered 0", replay.Stdout);
        Assert.Matches($@"replay run \S+ succeeded: {OverMax.Length} written, 2 dead-lettered again \(one attempt more\), 0 filtered", replay.Stdout);
        Assert.Equal(Expected, Output().Order());

        CliResult left = await TestSupport.Sluice.RunAsync("dlq", "list", "--pipeline", "orders", "--state", _state);
        Assert.Contains("orders.csv:101", left.Stdout); // id 100 on line 101
        Assert.Contains("orders.csv:151", left.Stdout);
        Assert.Equal(2, left.Stdout.Split('\n').Count(l => l.Contains("│ 2 ", StringComparison.Ordinal) && l.Contains("orders.csv:", StringComparison.Ordinal)));

        CliResult nothing = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", Pipeline(1000), "--reason", "contract", "--since", "1h",
            "--stage", "no-such-stage", "--state", _state);
        Assert.Equal(ExitCodes.Ok, nothing.ExitCode);
        Assert.Contains("no dead letters of pipeline 'orders' match; nothing replayed", nothing.Stdout);
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("run")]
    public async Task A_replay_killed_after_its_checkpoint_was_stored_is_published_by_the_next_command_exactly_once(string next)
    {
        await TestSupport.Sluice.RunAsync("run", Pipeline(100), "--state", _state);

        CliResult killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit" },
            "dlq", "replay", "--pipeline", Pipeline(1000), "--state", _state);

        Assert.Equal(137, killed.ExitCode); // SIGKILL
        Assert.Equal(Expected.Except(OverMax.Select(i => (long)i)), Output().Order()); // replayed, not yet published
        CliResult settled = next == "run"
            ? await TestSupport.Sluice.RunAsync("run", Pipeline(1000), "--state", _state)
            : await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", Pipeline(1000), "--state", _state);
        Assert.Equal(ExitCodes.Ok, settled.ExitCode);
        if (next == "replay")
            Assert.Contains("replaying 2 dead letters", settled.Stdout); // the letters the killed replay stored again
        Assert.Equal(Expected, Output().Order());
        Assert.Empty(Directory.GetFiles(_dir.File("out"), "*.inprogress"));
        await using var store = await SqliteStateStore.OpenAsync(_state);
        var closed = (await store.ListRunsAsync("orders")).Single(r => r.Kind == "replay" && r.State == RunState.Failed);
        Assert.Equal((OverMax.Length + 2L, (long)OverMax.Length), (closed.RecordsRead, closed.RecordsWritten)); // what its checkpoint published
    }

    [Fact]
    public async Task A_settled_replay_is_settled_once_so_deleting_its_output_later_fails_no_run()
    {
        await TestSupport.Sluice.RunAsync("run", Pipeline(100), "--state", _state);
        await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit" },
            "dlq", "replay", "--pipeline", Pipeline(1000), "--state", _state);
        CliResult settling = await TestSupport.Sluice.RunAsync("run", Pipeline(1000), "--state", _state);
        Assert.Equal(ExitCodes.Ok, settling.ExitCode);
        string[] first = Directory.GetFiles(_dir.File("out"), "*.jsonl").Order(StringComparer.Ordinal).ToArray();

        // The owner cleans up the output (say, it was loaded elsewhere): the settled replay's files go too.
        foreach (string file in first)
            File.Delete(file);
        _dir.Write("data/more.csv", "id,amount\n201,7\n");
        CliResult next = await TestSupport.Sluice.RunAsync("run", Pipeline(1000), "--state", _state);

        Assert.Equal("", next.Stderr);
        Assert.Equal(ExitCodes.Ok, next.ExitCode);
        Assert.Equal([201L], Output());
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_reason()
    {
        CliResult missing = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", _dir.File("nope.yaml"), "--state", _state);
        CliResult since = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", Pipeline(1000), "--since", "yesterday", "--state", _state);
        CliResult noPipeline = await TestSupport.Sluice.RunAsync("dlq", "replay", "--state", _state);
        CliResult noState = await TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", Pipeline(1000), "--state", _state);

        Assert.Equal(ExitCodes.Invalid, missing.ExitCode);
        Assert.Contains("no such pipeline file", missing.Stderr);
        Assert.Equal(ExitCodes.Invalid, since.ExitCode);
        Assert.Contains("--since takes a time such as 2026-11-23", since.Stderr);
        Assert.Equal(ExitCodes.Invalid, noPipeline.ExitCode);
        Assert.Contains("--pipeline", noPipeline.Stderr);
        Assert.Equal(ExitCodes.NotFound, noState.ExitCode);
        Assert.Contains($"no state file at {_state}", noState.Stderr);
        Assert.False(File.Exists(_state)); // not created by asking
    }
}
