using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

public sealed class CliTests
{
    private static readonly string[] Commands = ["run", "validate", "runs", "show", "dlq", "schema", "init"];

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_and_no_arguments_list_every_command_and_the_exit_codes(params string[] args)
    {
        CliResult result = await TestSupport.Sluice.RunAsync(args);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("sluice [command] [options]", result.Stdout);
        foreach (string command in Commands)
            Assert.Matches($@"(?m)^\s+{command}\b", result.Stdout);
        Assert.DoesNotMatch(@"(?m)^\s+docs\b", result.Stdout); // hidden
        Assert.Contains("Exit codes:", result.Stdout);
        Assert.Matches(@"(?m)^\s+130\s+stopped by Ctrl-C or SIGTERM", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Help_of_a_command_lists_its_options()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("dlq", "list", "--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("sluice dlq list [options]", result.Stdout);
        foreach (string option in new[] { "--pipeline", "--reason", "--stage", "--run", "--limit", "--state" })
            Assert.Contains(option, result.Stdout);
        Assert.DoesNotContain("Exit codes:", result.Stdout);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("run")]
    [InlineData("show")]
    [InlineData("dlq")]
    [InlineData("dlq", "show", "not-a-number")]
    [InlineData("runs", "--limit", "0")]
    [InlineData("runs", "--no-such-option")]
    public async Task Usage_errors_exit_2_with_the_error_on_stderr(params string[] args)
    {
        CliResult result = await TestSupport.Sluice.RunAsync(args);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("--help'", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task An_unknown_dead_letter_reason_exits_2_listing_the_valid_ones()
    {
        CliResult result = await TestSupport.Sluice.RunAsync("dlq", "list", "--reason", "nope");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("unknown reason 'nope'; valid reasons: parse, contract, transform, sink", result.Stderr);
    }

    [Fact]
    public async Task Validate_and_run_of_a_missing_file_exit_2()
    {
        using var dir = new TempDir();
        string missing = dir.File("missing.yaml");

        CliResult validate = await TestSupport.Sluice.RunAsync("validate", missing);
        CliResult run = await TestSupport.Sluice.RunAsync("run", missing);

        Assert.Equal((ExitCodes.Invalid, $"error: no such pipeline file: {missing}"), (validate.ExitCode, validate.Stderr.Trim()));
        Assert.Equal((ExitCodes.Invalid, $"error: no such pipeline file: {missing}"), (run.ExitCode, run.Stderr.Trim()));
        Assert.False(Directory.Exists(dir.File(".sluice")), "a failed run must not create a state folder");
    }

    [Fact]
    public async Task History_commands_without_a_state_file_say_where_they_looked_and_create_nothing()
    {
        using var dir = new TempDir();
        string state = dir.File("nothing-here.db");

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", state);
        CliResult show = await TestSupport.Sluice.RunAsync("show", "abc", "--state", state);
        CliResult dlq = await TestSupport.Sluice.RunAsync("dlq", "show", "1", "--state", state);

        Assert.Equal(ExitCodes.Ok, runs.ExitCode);
        Assert.Contains($"no state file at {state}", runs.Stdout);
        Assert.Equal(ExitCodes.NotFound, show.ExitCode);
        Assert.Contains($"no state file at {state}", show.Stderr);
        Assert.Equal(ExitCodes.NotFound, dlq.ExitCode);
        Assert.False(File.Exists(state));
    }
}
