using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Flows;

/// <summary>
/// Where an attempt of a task that starts a process (a command, a pipeline with a memory limit) keeps what outlives
/// the flow's process: beside the state file, <c>flow-tasks/FLOW_RUN/TASK[.INSTANCE]/</c>, holding the file a command
/// writes its result to (<c>$SLUICE_RESULT</c>) and <c>process</c>, the process's id and start time. A flow process
/// killed with <c>kill -9</c> cannot stop its children, so the attempt after the crash stops what the killed one left
/// running before it starts its own: never two copies of one task at once, and nothing of it left in the system's
/// temp folder. The folder is removed when the attempt ends, and a flow run's whole folder when the run ends.
/// </summary>
internal sealed class TaskFolder
{
    private const string ProcessFile = "process";

    private readonly string _path;

    private TaskFolder(string path) => _path = path;

    /// <summary>The folder of one task instance of a flow run on the state file <paramref name="statePath"/>.</summary>
    public static TaskFolder For(string statePath, string flowRunId, string task, int instance) =>
        new(Path.Combine(RunFolder(statePath, flowRunId), SafeName(task) + (instance >= 0 ? $".{instance}" : "")));

    /// <summary>The file a command writes its result to; its folder exists.</summary>
    public string ResultFile
    {
        get
        {
            Directory.CreateDirectory(_path);
            return Path.Combine(_path, "result.json");
        }
    }

    /// <summary>Stops the process an earlier attempt recorded (and its children), when it is still the same process:
    /// its id and start time both match, so a reused id is left alone. Returns what was stopped, for the task's
    /// events, or null; then clears the folder for this attempt.</summary>
    public async Task<string?> StopLeftoverAsync()
    {
        string? stopped = null;
        string file = Path.Combine(_path, ProcessFile);
        if (File.Exists(file) && File.ReadAllText(file).Split(' ') is [var pidText, var startText]
            && int.TryParse(pidText, CultureInfo.InvariantCulture, out int pid)
            && long.TryParse(startText, CultureInfo.InvariantCulture, out long start))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (!process.HasExited && StartOf(process) == start)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    stopped = $"stopped process {pid}, which an earlier attempt started and its killed flow process left running";
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or IOException
                or System.ComponentModel.Win32Exception)
            {
                // gone meanwhile, or not ours to see: nothing to stop
            }
        }
        Delete();
        return stopped;
    }

    /// <summary>Records the attempt's process, durably enough for the next attempt after a crash to find it.</summary>
    public void Record(Process process)
    {
        Directory.CreateDirectory(_path);
        string file = Path.Combine(_path, ProcessFile);
        try
        {
            File.WriteAllText(file + ".tmp", string.Create(CultureInfo.InvariantCulture, $"{process.Id} {StartOf(process)}"));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return; // it has already exited: nothing can be left running
        }
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>Removes the folder; a child still holding a file open there is not an error.</summary>
    public void Delete() => DeleteQuietly(_path);

    /// <summary>Removes what a flow run's task attempts left, once the run has ended.</summary>
    public static void DeleteRun(string statePath, string flowRunId)
    {
        string folder = RunFolder(statePath, flowRunId);
        DeleteQuietly(folder);
        DeleteQuietly(Path.GetDirectoryName(folder)!, onlyIfEmpty: true);
    }

    private static string RunFolder(string statePath, string flowRunId) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, "flow-tasks", flowRunId);

    /// <summary>A process's start time: with its id, a process's identity (ids are reused). On Linux the kernel's own
    /// count (clock ticks since boot, field 22 of <c>/proc/PID/stat</c>), exact; elsewhere .NET's, in whole seconds.</summary>
    private static long StartOf(Process process)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat = File.ReadAllText($"/proc/{process.Id}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[22 - 3], CultureInfo.InvariantCulture);
        }
        return process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
    }

    /// <summary>The task's name as a file name: as it is when it is plain, else its plain letters and a hash.</summary>
    private static string SafeName(string task)
    {
        if (task.Length <= 64 && task.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return task;
        }
        string plain = new([.. task.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').Take(32)]);
        return $"{plain}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(task)))[..12]}";
    }

    private static void DeleteQuietly(string folder, bool onlyIfEmpty = false)
    {
        try
        {
            if (Directory.Exists(folder) && (!onlyIfEmpty || !Directory.EnumerateFileSystemEntries(folder).Any()))
            {
                Directory.Delete(folder, recursive: !onlyIfEmpty);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a child still writing there, or another flow run's folder appearing: left for the run's end
        }
    }
}
