using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>expect:</c> through the CLI: the run summary has a line per warning or failure, the exit code
/// follows the gate, and <c>show</c> prints every expectation's result.</summary>
public sealed class ExpectationCommandTests : IDisposable
{
    private const string Pipeline = """
        name: orders
        source: { type: csv, path: data/*.csv }
        contract:
          fields:
            id: { type: int64, required: true }
            name: { type: string }
        sink: { type: jsonl, path: out }
        expect:
          - row_count: { min: 4 }
          - null_ratio: { column: name, max: 0.1 }
            on_fail: warn
          - distinct_count: { column: name, min: MIN }
        """;

    // Five records, one without a name: a null ratio of 0.2 and 4 distinct names.
    private const string Csv = "id,name\n1,a\n2,b\n3,\n4,c\n5,d\n";

    private readonly TempDir _dir = new();
    private readonly string _state;

    public ExpectationCommandTests()
    {
        _dir.Write("data/orders.csv", Csv);
        _state = _dir.File("state/state.db");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_warning_is_printed_the_run_exits_0_and_show_lists_every_result()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline.Replace("MIN", "4"));

        CliResult run = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("\nexpectation null_ratio(name) ≤ 0.1: warning, measured 0.2 (1 of 5)\n", run.Stdout);
        Assert.DoesNotContain("expectation row_count", run.Stdout); // passed: not worth a line
        string id = Regex.Match(run.Stdout, @"run (\S+) succeeded").Groups[1].Value;

        CliResult show = await TestSupport.Sluice.RunAsync("show", id, "--state", _state);

        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Matches(@"│ row_count ≥ 4\s+│ 5\s+│ passed\s+│", show.Stdout);
        Assert.Matches(@"│ null_ratio\(name\) ≤ 0\.1\s+│ 0\.2 \(1 of 5\)\s+│ warning\s+│", show.Stdout);
        Assert.Matches(@"│ distinct_count\(name\) ≥ 4\s+│ 4\s+│ passed\s+│", show.Stdout);
    }

    [Fact]
    public async Task A_failed_expectation_exits_3_says_why_and_show_marks_it_FAILED()
    {
        string file = _dir.Write("pipeline.yaml", Pipeline.Replace("MIN", "5"));

        CliResult run = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.QualityGateFailed, run.ExitCode);
        Assert.Contains("\nexpectation distinct_count(name) ≥ 5: FAILED, measured 4\n", run.Stdout);
        Assert.Equal("error: quality gate failed: expectation distinct_count(name) ≥ 5 not met: measured 4", run.Stderr.Trim());
        Assert.False(Directory.Exists(_dir.File("out")) && Directory.EnumerateFiles(_dir.File("out"), "*.jsonl").Any());
        string id = Regex.Match(run.Stdout, @"run (\S+) failed its quality gate").Groups[1].Value;

        CliResult show = await TestSupport.Sluice.RunAsync("show", id, "--state", _state);

        Assert.Matches(@"│ distinct_count\(name\) ≥ 5\s+│ 4\s+│ FAILED\s+│", show.Stdout);
        Assert.Contains("error: quality gate failed: expectation distinct_count(name) ≥ 5", show.Stdout);
    }
}
