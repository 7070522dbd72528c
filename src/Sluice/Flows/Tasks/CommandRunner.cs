using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Configuration;

namespace Sluice.Flows;

/// <summary>Runs a command task's program: no shell, its output captured (the last <c>OutputLimit</c> characters),
/// killed with its children when the attempt is cancelled or times out.</summary>
internal static class CommandRunner
{
    /// <summary>Lines of standard output a result keeps.</summary>
    private const int ResultLines = 10;

    /// <summary>The largest <c>$SLUICE_RESULT</c> file taken: a result is stored with the task in the state file and
    /// read by every task downstream, so it is for values and lists, not data.</summary>
    private const long ResultLimit = 8 * 1024 * 1024;

    /// <summary>Runs it; returns its result, or throws <see cref="TaskFailedException"/> (with the result) when it
    /// could not start or exited with another code than 0.</summary>
    /// <param name="folder">Where its result file and process id are kept (removed when it ends).</param>
    public static async Task<CommandOutcome> RunAsync(CommandTaskAction command, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TaskFolder folder, CancellationToken cancellationToken)
    {
        string resultFile = folder.ResultFile;
        try
        {
            var start = new ProcessStartInfo(command.Arguments[0])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true, // and closed at once: a task never waits on a terminal
                UseShellExecute = false,
            };
            foreach (string argument in command.Arguments.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }
            foreach (var (name, value) in environment.Concat(command.Environment))
            {
                start.Environment[name] = value;
            }
            start.Environment["SLUICE_RESULT"] = resultFile;
            if (!Directory.Exists(workingDirectory))
            {
                throw new TaskFailedException($"its working folder {workingDirectory} does not exist", null, null);
            }
            // A path (not a name looked up on PATH) to a folder: .NET would refuse it with words about UseShellExecute.
            if (command.Arguments[0].Contains('/') && Directory.Exists(Path.Combine(workingDirectory, command.Arguments[0])))
            {
                throw new TaskFailedException($"cannot start '{command.Arguments[0]}': it is a folder, not a program", null, null);
            }
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                // Where to look only helps when it was not found (ENOENT); "Argument list too long" needs no PATH hint.
                string hint = e.NativeErrorCode == 2 ? $" (a program on PATH, or a path relative to {workingDirectory})" : "";
                throw new TaskFailedException($"cannot start '{command.Arguments[0]}': {e.Message}{hint}", null, null);
            }
            folder.Record(process);
            process.StandardInput.Close();
            var output = new OutputTail(command.OutputLimit);
            var stdout = new List<string>();
            Task readOut = PumpAsync(process.StandardOutput, command.OutputLimit, line =>
            {
                output.Add(line);
                lock (stdout)
                {
                    stdout.Add(line);
                    if (stdout.Count > ResultLines)
                    {
                        stdout.RemoveAt(0);
                    }
                }
            });
            string? lastError = null; // why it failed is usually on standard error, wherever it lands among stdout's lines
            Task readErr = PumpAsync(process.StandardError, command.OutputLimit, line =>
            {
                output.Add(line);
                if (line.Trim().Length > 0)
                {
                    lastError = line;
                }
            });
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                await Task.WhenAll(readOut, readErr).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
                throw;
            }
            await Task.WhenAll(readOut, readErr);
            var result = new JsonObject
            {
                ["exit_code"] = process.ExitCode,
                ["lines"] = new JsonArray([.. stdout.Select(l => (JsonNode?)JsonValue.Create(l))]),
            };
            long resultSize = File.Exists(resultFile) ? new FileInfo(resultFile).Length : 0;
            if (resultSize > ResultLimit)
            {
                throw new TaskFailedException($"it wrote {ByteSizeText.Format(resultSize)} to $SLUICE_RESULT; a result is at most " +
                    $"{ByteSizeText.Format(ResultLimit)} (it is kept in the state file): write the data to a file and its path to the result", result, output.Text);
            }
            if (resultSize > 0)
            {
                result["value"] = ResultValue(await File.ReadAllTextAsync(resultFile, cancellationToken));
            }
            if (process.ExitCode != 0)
            {
                throw new TaskFailedException($"exit code {process.ExitCode}{LastLine(lastError ?? output.Text)}", result, output.Text);
            }
            return new CommandOutcome(result, output.Text);
        }
        finally
        {
            folder.Delete();
        }
    }

    /// <summary>What a command wrote to <c>$SLUICE_RESULT</c>: a JSON value, or else its text as a string (so a
    /// command can list items one per line without writing JSON).</summary>
    private static JsonNode? ResultValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static string LastLine(string output)
    {
        string? last = output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.Trim().Length > 0);
        return last is null ? "" : ": " + (last.Length > 300 ? last[..300] + "…" : last);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
    }

    /// <summary>Hands each line of <paramref name="reader"/> to <paramref name="line"/>, cut to <paramref name="limit"/>
    /// characters: a program that prints a gigabyte without a line break costs a buffer, not a gigabyte.</summary>
    private static async Task PumpAsync(StreamReader reader, int limit, Action<string> line)
    {
        var buffer = new char[8192];
        var current = new System.Text.StringBuilder();
        long cut = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            int start = 0, end;
            while ((end = Array.IndexOf(buffer, '\n', start, read - start)) >= 0)
            {
                cut += Append(current, buffer.AsSpan(start, end - start), limit);
                line(Finish(current, cut));
                cut = 0;
                start = end + 1;
            }
            cut += Append(current, buffer.AsSpan(start, read - start), limit);
        }
        if (current.Length > 0 || cut > 0)
        {
            line(Finish(current, cut));
        }

        static long Append(System.Text.StringBuilder current, ReadOnlySpan<char> text, int limit)
        {
            int room = Math.Max(0, limit - current.Length);
            current.Append(text[..Math.Min(room, text.Length)]);
            return Math.Max(0, text.Length - room);
        }

        static string Finish(System.Text.StringBuilder current, long cut)
        {
            if (current.Length > 0 && current[^1] == '\r')
            {
                current.Length--;
            }
            string text = cut > 0 ? $"{current}… ({cut} more characters cut)" : current.ToString();
            current.Clear();
            return text;
        }
    }

    /// <summary>The last characters of a program's output, whole lines, thread-safe (stdout and stderr both add).</summary>
    private sealed class OutputTail(int limit)
    {
        private readonly LinkedList<string> _lines = new();
        private int _length;

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.AddLast(line);
                _length += line.Length + 1;
                while (_length > limit && _lines.Count > 1)
                {
                    _length -= _lines.First!.Value.Length + 1;
                    _lines.RemoveFirst();
                }
            }
        }

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    string text = string.Join('\n', _lines);
                    return text.Length > limit ? text[^limit..] : text;
                }
            }
        }
    }
}

/// <summary>What a command left: its result and the last of its output.</summary>
internal sealed record CommandOutcome(JsonNode Result, string Output);
