using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sluice.ServiceFixtures;

/// <summary>One run of a server binary as a child of the test process: started in the foreground, its output kept
/// (the last lines, for error messages), stopped cleanly by SIGTERM, and killed if the test process dies first.</summary>
internal sealed partial class ServerProcess
{
    const int LogLinesKept = 200;
    const int SigTerm = 15;

    readonly Process server;
    readonly Process watchdog;
    readonly Queue<string> log;

    ServerProcess(Process server, Process watchdog, Queue<string> log)
    {
        this.server = server;
        this.watchdog = watchdog;
        this.log = log;
    }

    public string Name => Path.GetFileName(server.StartInfo.FileName);

    /// <summary>The full path of <paramref name="command"/>, from PATH or <paramref name="alsoIn"/>; when it is in
    /// neither, an exception that names the Debian package to install, so a test fails saying what to do.</summary>
    public static string Locate(string command, string debianPackage, params IEnumerable<string> alsoIn)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(alsoIn).Select(directory => Path.Combine(directory, command)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"{command} is not installed: apt-get install {debianPackage} (./test.sh installs it when run as root)", command);
    }

    public static ServerProcess Start(string executable, IEnumerable<string> arguments)
    {
        var server = new Process { StartInfo = StartInfo(executable, arguments) };
        server.StartInfo.RedirectStandardOutput = server.StartInfo.RedirectStandardError = true;
        var log = new Queue<string>();
        server.OutputDataReceived += (_, e) => Keep(log, e.Data);
        server.ErrorDataReceived += (_, e) => Keep(log, e.Data);
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return new ServerProcess(server, StartWatchdog(server.Id), log);
    }

    /// <summary>Polls <paramref name="isReady"/> (an exception counts as not yet) until it says yes. When the server
    /// exits first or <paramref name="timeout"/> runs out, kills it (nothing else would) and fails with its log
    /// tail.</summary>
    public async Task WaitUntilReadyAsync(Func<CancellationToken, Task<bool>> isReady, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        Exception? lastError = null;
        while (!deadline.IsCancellationRequested)
        {
            if (server.HasExited)
            {
                await AbandonAsync();
                throw new InvalidOperationException($"{Name} exited with code {server.ExitCode} before it was ready.{LogTail()}");
            }
            try
            {
                if (await isReady(deadline.Token))
                    return;
            }
            catch (Exception e) when (!deadline.IsCancellationRequested)
            {
                lastError = e;
            }
            await Task.Delay(50, CancellationToken.None);
        }
        await AbandonAsync();
        string cause = lastError is null ? "" : $" (last try: {lastError.GetType().Name}: {lastError.Message})";
        throw new TimeoutException($"{Name} was not ready after {timeout.TotalSeconds:0} s{cause}.{LogTail()}");
    }

    /// <summary>SIGTERM, the signal each server takes as "shut down cleanly", then waits for the exit; a server that
    /// has not exited after <paramref name="grace"/> is killed, and that is an error.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            if (server.HasExited)
                return;
            SendSignal(server.Id, SigTerm);
            try
            {
                await server.WaitForExitAsync().WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                server.Kill();
                await server.WaitForExitAsync();
                throw new TimeoutException($"{Name} did not stop within {grace.TotalSeconds:0} s of SIGTERM and was killed.{LogTail()}");
            }
        }
        finally
        {
            // Only once the server is gone: killed first, the watchdog would leave a window with no guard.
            StopWatchdog();
        }
    }

    public string LogTail(int lines = 30)
    {
        lock (log)
            return $"\n{Name}'s log ends with:\n" + string.Join('\n', log.TakeLast(lines));
    }

    // Also waits until the server's output is read to its end, for the log tail of the error that follows.
    async Task AbandonAsync()
    {
        server.Kill();
        await server.WaitForExitAsync();
        StopWatchdog();
    }

    void StopWatchdog()
    {
        watchdog.Kill();
        watchdog.Dispose();
    }

    static void Keep(Queue<string> log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            log.Enqueue(line);
            if (log.Count > LogLinesKept)
                log.Dequeue();
        }
    }

    // A shell that waits for end-of-file on its stdin, then SIGKILLs the server. Only this process holds the other
    // end of that pipe (.NET opens it close-on-exec), so the kernel closes it however the test process ends: also
    // by a crash or kill -9 (a test host killed for hanging), which AppDomain.ProcessExit never sees.
    static Process StartWatchdog(int serverId)
    {
        var start = StartInfo("/bin/sh", ["-c", "read -r _; kill -KILL \"$1\" 2>/dev/null", "sluice-watchdog", serverId.ToString()]);
        start.RedirectStandardInput = true;
        return Process.Start(start)!;
    }

    static ProcessStartInfo StartInfo(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
