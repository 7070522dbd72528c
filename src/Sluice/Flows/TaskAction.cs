using System.Text.Json.Nodes;

namespace Sluice.Flows;

/// <summary>What a task does: run a pipeline file, run a command, or call a C# delegate.</summary>
public abstract record TaskAction
{
    /// <summary>The kind, as <c>sluice flow show</c> prints it.</summary>
    public abstract string Kind { get; }

    /// <summary>The action as text, templates unexpanded: part of the task's cache key.</summary>
    internal abstract string Definition { get; }
}

/// <summary>Runs a pipeline file on the flow's state store: in this process, or with <see cref="MemoryLimit"/> in a
/// <c>sluice run</c> process of its own. Its result: the run's id, state and counts. <paramref name="Parameters"/>
/// fill the pipeline file's <c>${params.NAME}</c> references.</summary>
public sealed record PipelineTaskAction(string Path, IReadOnlyDictionary<string, string> Parameters) : TaskAction
{
    public override string Kind => "pipeline";

    /// <summary>When set, the pipeline runs in a process of its own (<see cref="FlowRunnerOptions.SluiceCommand"/>)
    /// held to this many bytes (<see cref="RunnerOptions.MemoryLimit"/>): its batches and channels are sized from
    /// it, and going above it fails the task with a message, never the flow's process or the machine.</summary>
    public long? MemoryLimit { get; init; }

    internal override string Definition =>
        $"pipeline {Path} " + string.Join(" ", Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>Runs a program (no shell: <paramref name="Arguments"/>[0] is the program, looked up on PATH). Exit code 0
/// completes it. Its result: the exit code, the last lines it printed, and the JSON value it wrote to the file
/// named by <c>SLUICE_RESULT</c>, if any (text that is not JSON is kept as a string).</summary>
public sealed record CommandTaskAction(IReadOnlyList<string> Arguments) : TaskAction
{
    /// <summary>Set for the program besides what it inherits.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The folder it runs in; the flow's folder when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The largest <see cref="OutputLimit"/> a flow file may give: the output is kept in the state file.</summary>
    public const int MaxOutputLimit = 16 * 1024 * 1024;

    /// <summary>Characters of its output (stdout and stderr) kept, the last ones; a longer line is cut to this many.
    /// The default value is 64 KiB.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    public override string Kind => "command";

    internal override string Definition =>
        "command " + string.Join("\u0000", Arguments) + " env " +
        string.Join(" ", Environment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + " in " + WorkingDirectory;
}

/// <summary>Calls C# code (flows built with <see cref="FlowBuilder"/>). What it returns is its result.</summary>
/// <param name="Version">Part of the cache key in place of the code, which cannot be read: change it when the
/// delegate changes what it computes.</param>
public sealed record DelegateTaskAction(Func<TaskContext, CancellationToken, Task<JsonNode?>> Run, string Version = "1") : TaskAction
{
    public override string Kind => "code";

    internal override string Definition => "code " + Version;
}
