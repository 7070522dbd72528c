using Sluice.Alerts;
using Sluice.Pipelines;

namespace Sluice.Flows;

/// <summary>
/// A flow: a graph of tasks run in dependency order, each recorded in the state store as it changes state, so that a
/// flow run that dies is resumed without running a completed task again. Read from a flow file
/// (<see cref="FlowFile.Load"/>) or built in C# (<see cref="FlowBuilder"/>).
/// </summary>
/// <param name="Name">Flow runs are filed under it.</param>
/// <param name="Tasks">In declaration order; <see cref="FlowTask.DependsOn"/> names earlier or later ones.</param>
public sealed record FlowDefinition(string Name, IReadOnlyList<FlowTask> Tasks)
{
    public string? Description { get; init; }

    /// <summary>The flow's parameters and their defaults; a null default makes the parameter required.</summary>
    public IReadOnlyDictionary<string, string?> Parameters { get; init; } = new Dictionary<string, string?>();

    /// <summary>Task instances running at once at most, over the whole flow run (mapped instances included). The
    /// default value is 8.</summary>
    public int MaxParallel { get; init; } = 8;

    /// <summary>Task instances holding a tag at once at most, by tag, over every flow run and process sharing the
    /// state file (see <see cref="FlowTask.Tags"/>).</summary>
    public IReadOnlyDictionary<string, int> TagLimits { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether one failed mapped instance fails its task (and so the tasks after it) or only itself.</summary>
    public MappedFailure OnMappedFailure { get; init; } = MappedFailure.Fail;

    /// <summary>When <c>sluice serve</c> starts its runs; null for a flow run only by hand.</summary>
    public FlowSchedule? Schedule { get; init; }

    /// <summary>The partitions it computes, one per run; null for a flow whose runs compute everything at once.</summary>
    public FlowPartitions? Partitions { get; init; }

    /// <summary>Its freshness and SLA promises and where a miss is sent (<c>freshness:</c>, <c>sla:</c>, <c>alerts:</c>),
    /// judged by an <see cref="AlertMonitor"/>. None by default.</summary>
    public AlertPolicy Alerts { get; init; } = AlertPolicy.None;

    /// <summary>Relative paths (pipeline files, working folders, globs) resolve against it: the flow file's folder.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The flow file, when read from one.</summary>
    public string? SourceFile { get; init; }

    public SourceLocation? Location { get; init; }
}

/// <summary>What a failed mapped instance does to its task.</summary>
public enum MappedFailure
{
    /// <summary>The task fails once every instance has ended; the tasks after it are skipped.</summary>
    Fail,

    /// <summary>The task completes with every instance's result, failed ones included, and the flow goes on.</summary>
    Continue,
}
