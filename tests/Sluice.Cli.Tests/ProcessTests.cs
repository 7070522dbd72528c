using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>The built executable, as a child process: exit codes must reach the shell, not just the method.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task The_executable_exits_2_on_bad_usage_and_0_on_help()
    {
        var bad = await SluiceProcess.RunAsync("dlq", "list", "--reason", "bogus");
        var help = await SluiceProcess.RunAsync("--help");

        Assert.Equal(ExitCodes.Invalid, bad.ExitCode);
        Assert.Contains("unknown reason 'bogus'", bad.Stderr);
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("sluice [command] [options]", help.Stdout);
    }
}
