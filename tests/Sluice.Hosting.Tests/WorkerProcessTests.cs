using System.Diagnostics;
using Sluice.Hosting.Tests.TestSupport;

namespace Sluice.Hosting.Tests;

/// <summary>examples/worker as its users run it: a separate process that runs the flights pipeline on its schedule
/// (every second here, through an environment variable) and stops cleanly on SIGTERM.</summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task The_worker_runs_the_flights_pipeline_and_exits_0_on_SIGTERM()
    {
        string root = RepositoryRoot();
        CopyFolder(Path.Combine(root, "examples", "flights", "data"), _dir.File("flights/data"));
        File.Copy(Path.Combine(root, "examples", "flights", "pipeline.yaml"), _dir.File("flights/pipeline.yaml"));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Flights__File"] = "flights/pipeline.yaml",
                ["Flights__Schedule"] = "* * * * * *",
            },
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(WorkerDll(root));
        var log = new List<string>();
        using var worker = Process.Start(start)!;
        worker.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (log) log.Add(line); };
        worker.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (log) log.Add(line); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        string Log() { lock (log) return string.Join('\n', log); }

        try
        {
            Assert.True(SpinWait.SpinUntil(() => Log().Contains(" succeeded in ") || worker.HasExited, TimeSpan.FromSeconds(30)) && !worker.HasExited, "no finished run:\n" + Log());
            using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString()]))
                await kill.WaitForExitAsync();
            using var tenSeconds = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await worker.WaitForExitAsync(tenSeconds.Token);
        }
        finally
        {
            if (!worker.HasExited)
                worker.Kill();
        }

        Assert.Equal(0, worker.ExitCode);
        string text = Log();
        Assert.Contains(": 20060 in, 20014 out, 41 dead-lettered, 5 filtered, 1 files published", text);
        Assert.Contains("Application is shutting down...", text);
        Assert.Contains("Pipeline flights stopped cleanly", text);
        Assert.DoesNotContain("fail:", text);
        Assert.Single(Directory.GetFiles(_dir.File("flights/out/flights"), "*.parquet"));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "Sluice.slnx")))
            folder = folder.Parent ?? throw new InvalidOperationException("Sluice.slnx not found above " + AppContext.BaseDirectory);
        return folder.FullName;
    }

    /// <summary>The worker as built beside these tests (same configuration): the project reference builds it.</summary>
    private static string WorkerDll(string root)
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)); // bin/CONFIGURATION/net10.0
        string configuration = output.Parent!.Name;
        return Path.Combine(root, "examples", "worker", "bin", configuration, "net10.0", "FlightsWorker.dll");
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    public void Dispose() => _dir.Dispose();
}
