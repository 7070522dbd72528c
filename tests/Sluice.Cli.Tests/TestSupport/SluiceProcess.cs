using System.Diagnostics;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>Runs the built <c>sluice</c> executable as a child process (dotnet exec Sluice.Cli.dll).</summary>
public static class SluiceProcess
{
    public static async Task<CliResult> RunAsync(params string[] args)
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
