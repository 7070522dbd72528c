using System.Reflection;

namespace Sluice.Cli;

/// <summary>How to start this command line again as a child process (a flow's pipeline task with a memory limit runs
/// in a <c>sluice run</c> process of its own): the installed tool's own executable, or <c>dotnet exec
/// Sluice.Cli.dll</c> when it runs under <c>dotnet</c> or inside another host (the tests).</summary>
internal static class SelfCommand
{
    public static IReadOnlyList<string> Get()
    {
        string? process = Environment.ProcessPath;
        bool entry = Assembly.GetEntryAssembly() == typeof(SelfCommand).Assembly;
        if (entry && process is not null && !IsDotnet(process))
            return [process];
        string host = process is not null && IsDotnet(process) ? process : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return [host, "exec", typeof(SelfCommand).Assembly.Location];
    }

    private static bool IsDotnet(string path) => Path.GetFileNameWithoutExtension(path) == "dotnet";
}
