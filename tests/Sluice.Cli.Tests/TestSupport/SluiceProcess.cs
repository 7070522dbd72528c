using System.Diagnostics;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>Runs the built <c>sluice</c> executable as a child process (dotnet exec Sluice.Cli.dll).</summary>
public static class SluiceProcess
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs it with extra environment variables (e.g. <c>SLUICE_CRASH_AT</c>).</summary>
    public static Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        WaitAsync(Start(environment, args));

    /// <summary>Runs it from bash after <paramref name="shellSetup"/> (e.g. <c>ulimit -f 1024</c>), which then
    /// applies to the process.</summary>
    public static Task<CliResult> RunInShellAsync(string shellSetup, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo("bash", environment);
        foreach (string arg in (string[])["-c", $"{shellSetup}; exec \"$0\" exec \"$1\" \"${{@:2}}\"", Dotnet, Dll, .. args])
            start.ArgumentList.Add(arg);
        return WaitAsync(Process.Start(start)!);
    }

    /// <summary>Starts it with its output redirected, for a test that acts on it while it runs.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(Dotnet, environment);
        foreach (string arg in (string[])["exec", Dll, .. args])
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static ProcessStartInfo StartInfo(string program, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return start;
    }

    private static async Task<CliResult> WaitAsync(Process started)
    {
        using Process process = started;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
