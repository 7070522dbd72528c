using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice flow backfill</c>: runs the missing and failed partitions, then nothing; refuses bad values in one line.</summary>
public sealed class FlowBackfillCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _flow;

    public FlowBackfillCommandTests() =>
        // 2024-01-03 fails until the file `fixed` exists; every partition computed is appended to done.txt.
        _flow = _dir.Write("flow.yaml", """
            name: metrics
            partitions: daily from 2024-01-01 to 2024-12-31
            tasks:
              compute:
                command: [bash, -c, "if [ $SLUICE_PARTITION = 2024-01-03 ] && [ ! -f fixed ]; then exit 1; fi; echo $SLUICE_PARTITION >> done.txt"]
            """);

    public void Dispose() => _dir.Dispose();

    private Task<CliResult> Backfill(params string[] args) => TestSupport.Sluice.RunAsync(["flow", "backfill", _flow, .. args]);

    private List<string> Done() => [.. File.ReadAllLines(_dir.File("done.txt")).Order()];

    [Fact]
    public async Task Backfill_runs_the_missing_and_failed_partitions_then_nothing()
    {
        var first = await Backfill("--from", "2024-01-01", "--to", "2024-01-04", "--parallel", "2");
        _dir.Write("fixed", "");
        var second = await Backfill("--from", "2024-01-01", "--to", "2024-01-04");
        var third = await Backfill("--from", "2024-01-01", "--to", "2024-01-04");

        Assert.Equal(ExitCodes.RunFailed, first.ExitCode);
        Assert.Contains("2024-01-03 failed: run ", first.Stdout);
        Assert.Contains("backfill metrics 2024-01-01 to 2024-01-04: 4 partitions run, 3 succeeded, 1 did not; 0 had succeeded already", first.Stdout);
        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        Assert.Contains("2024-01-03 succeeded: run ", second.Stdout);
        Assert.Contains("1 partition run, 1 succeeded, 0 did not; 3 had succeeded already", second.Stdout);
        Assert.Equal((ExitCodes.Ok, true), (third.ExitCode, third.Stdout.Contains("0 partitions run, 0 succeeded, 0 did not; 4 had succeeded already", StringComparison.Ordinal)));
        Assert.Equal(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], Done());
        Assert.True(File.Exists(_dir.File(".sluice/state.db")), "the state file goes beside the flow file, as for sluice run");
    }

    [Theory]
    [InlineData("--parallel 0", "--parallel takes a number of flow runs, a whole number from 1 to 1000; not '0'")]
    [InlineData("--to 2024-01-02", "--from 2024-02-01 is after --to 2024-01-02: give the earlier day to --from")]
    [InlineData("--to 2025-01-02", "2025-01-02 is not a partition of flow 'metrics', whose partitions are daily from 2024-01-01 to 2024-12-31")]
    [InlineData("--to 2024-2-3", "--to takes a day, YYYY-MM-DD (2024-01-31); not '2024-2-3'")]
    [InlineData("--to 2024-02-03 --param day", "--param takes NAME=VALUE; not 'day'")]
    [InlineData("--to 2024-02-03 --param day=1", "flow 'metrics' has no parameter 'day'")]
    public async Task A_bad_value_is_one_error_line_and_exit_code_2(string args, string error)
    {
        var result = await Backfill(["--from", "2024-02-01", .. args.Split(' ')]);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains(error, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(File.Exists(_dir.File("done.txt")));
    }

    [Fact]
    public async Task A_flow_without_partitions_is_refused()
    {
        string plain = _dir.Write("plain.yaml", "name: plain\ntasks: { a: { command: [\"true\"] } }");

        var result = await TestSupport.Sluice.RunAsync("flow", "backfill", plain, "--from", "2024-01-01", "--to", "2024-01-02");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("error: flow 'plain' has no partitions, so there is nothing to backfill: declare them (partitions: daily from 2024-01-01)", result.Stderr.Trim());
    }

    /// <summary>A backfill runs its pipeline tasks as `flow run` does: a <c>memory_limit</c> task gets its own sluice
    /// process. The backfill (and serve) once ran flows without the sluice command line, so such a task failed.</summary>
    [Fact]
    public async Task A_memory_limited_pipeline_task_runs_in_a_backfill_as_in_a_flow_run()
    {
        _dir.Write("data/2024-01-01.csv", "id\n1\n2\n");
        _dir.Write("copy.yaml", """
            name: copy
            source: { type: csv, path: "data/${params.day}.csv" }
            sink: { type: jsonl, path: "out/${params.day}" }
            """);
        string flow = _dir.Write("limited.yaml", """
            name: limited
            partitions: daily from 2024-01-01
            tasks:
              copy:
                pipeline: copy.yaml
                params: { day: "${partition}" }
                memory_limit: 256MB
            """);

        var result = await TestSupport.Sluice.RunAsync("flow", "backfill", flow, "--from", "2024-01-01", "--to", "2024-01-01");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Stdout + result.Stderr);
        Assert.Equal(2, Directory.GetFiles(_dir.File("out/2024-01-01"), "*.jsonl").Sum(f => File.ReadAllLines(f).Length));
    }
}
