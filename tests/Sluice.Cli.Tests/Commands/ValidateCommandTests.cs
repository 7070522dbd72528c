using System.Text;
using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// <c>validate</c> and <c>run</c> of broken pipeline files, as a user runs them (a real process, so a stack overflow
/// would show as exit 134): every problem of every phase in one pass, each at its file:line:col, exit 2, no trace.
/// </summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ValidateCommandTests() => _dir.Write("data/a.csv", "id,name,amount\n1,a,3\n2,b,4\n");

    public void Dispose() => _dir.Dispose();

    // One problem of each kind: an unknown key (shape), a bad min (binding), a bad regex (shape), an unknown
    // column and a type error (expressions against the contract's columns), and a constant that always fails.
    private const string Broken = """
        name: five
        source:
          type: csv
          path: data/*.csv
          delimter: ','
        contract:
          fields:
            id: { type: int64, min: abc, required: true }
            name: { type: string, pattern: "([a-z" }
            amount: { type: int64 }
        transforms:
          - filter: idd > 1
          - derive:
              total: name + 1
              ratio: amount / (2 - 2)
        sink:
          type: jsonl
          path: out
        """;

    private static readonly string[] Expected =
    [
        @"pipeline\.yaml:5:3: csv source: unknown key 'delimter'",
        @"pipeline\.yaml:8:29: min 'abc' is not a valid int64",
        @"pipeline\.yaml:9:36: .*pattern: bad regex '\(\[a-z'",
        @"pipeline\.yaml:12:13: filter: unknown column 'idd'; did you mean 'id'\?",
        @"pipeline\.yaml:14:14: derive 'total': '\+' needs numbers but 'name' is string",
        @"pipeline\.yaml:15:14: derive 'ratio': this expression always fails: division by zero in amount / \(2 - 2\)",
    ];

    private static void AssertNoTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
        Assert.DoesNotContain("Exception", result.Stdout + result.Stderr);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task Every_problem_of_every_phase_is_reported_in_one_pass(string command)
    {
        string file = _dir.Write("pipeline.yaml", Broken);
        string[] args = command == "run" ? ["run", file, "--state", _dir.File("state.db")] : ["validate", file];

        CliResult result = await SluiceProcess.RunAsync(args);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        AssertNoTrace(result);
        string[] lines = result.Stderr.TrimEnd().Split('\n');
        Assert.Equal(Expected.Length, lines.Length);
        for (int i = 0; i < Expected.Length; i++) Assert.Matches(Expected[i], lines[i]);
        Assert.False(Directory.Exists(_dir.File("out")) && Directory.EnumerateFiles(_dir.File("out"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Stages_after_a_source_with_a_bad_value_are_not_checked_against_guessed_columns()
    {
        string file = _dir.Write("pipeline.yaml", Broken.Replace("delimter: ','", "header: maybe"));

        CliResult result = await SluiceProcess.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"pipeline\.yaml:5:11: .*header: expected true or false, found 'maybe'", result.Stderr);
        Assert.Matches(@"pipeline\.yaml:8:29: min 'abc'", result.Stderr);
        Assert.DoesNotContain("idd", result.Stderr);
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "5,000 nested parentheses", new string('(', 5000) + "amount" + new string(')', 5000) + " > 0" },
        { "10,000 + terms", "amount" + new StringBuilder().Insert(0, " + amount", 10_000) + " > 0" },
        { "3,000 nested CASE", new StringBuilder().Insert(0, "CASE WHEN amount > 0 THEN 1 ELSE ", 3000) + "0" + new StringBuilder().Insert(0, " END", 3000) + " > 0" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_deeply_nested_expression_is_a_positioned_error_not_a_stack_overflow(string what, string expression)
    {
        string file = _dir.Write("pipeline.yaml", $"""
            name: deep
            source: {"{"} type: csv, path: data/*.csv {"}"}
            transforms:
              - filter: {expression}
            sink: {"{"} type: jsonl, path: out {"}"}
            """);

        foreach (string[] args in new[] { ["validate", file], new[] { "run", file, "--state", _dir.File("state.db") } })
        {
            CliResult result = await SluiceProcess.RunAsync(args);

            Assert.True(result.ExitCode == ExitCodes.Invalid, $"{what}, {args[0]}: exit {result.ExitCode}\n{result.Stderr}");
            AssertNoTrace(result);
            Assert.Matches(@"^pipeline\.yaml:4:\d+: filter: expression nested too deeply: more than 100 levels.*split it into several derived columns", result.Stderr.Replace(file, "pipeline.yaml"));
        }
    }

    [Fact]
    public async Task A_constant_that_always_fails_is_refused_before_any_record_is_read()
    {
        string file = _dir.Write("pipeline.yaml", """
            name: constant
            source: { type: csv, path: data/*.csv }
            transforms:
              - derive:
                  big: 9223372036854775807 + 1 + length(name)
                  n: CAST('abc' AS int64)
            sink: { type: jsonl, path: out }
            """);

        CliResult result = await SluiceProcess.RunAsync("run", file, "--state", _dir.File("state.db"));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Matches(@"pipeline\.yaml:5:12: derive 'big': this expression always fails: int64 overflow in 9223372036854775807 \+ 1", result.Stderr);
        Assert.Matches(@"pipeline\.yaml:6:10: derive 'n': this expression always fails: cannot cast 'abc' to int64", result.Stderr);
        Assert.False(Directory.Exists(_dir.File("out")) && Directory.EnumerateFiles(_dir.File("out"), "*", SearchOption.AllDirectories).Any());
    }
}
