using System.Diagnostics;

namespace Sluice.Cli.Tests;

/// <summary>The built executable, as a child process: exit codes must reach the shell, not just the method.</summary>
public sealed class ProcessTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunSluiceAsync(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_executable_exits_2_on_bad_usage_and_0_on_help()
    {
        var bad = await RunSluiceAsync("dlq", "list", "--reason", "bogus");
        var help = await RunSluiceAsync("--help");

        Assert.Equal(ExitCodes.Invalid, bad.ExitCode);
        Assert.Contains("unknown reason 'bogus'", bad.Stderr);
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("sluice [command] [options]", help.Stdout);
    }
}
