using Sluice.Configuration;

namespace Sluice.Flows;

/// <summary>How a <see cref="FlowRunner"/> runs flows.</summary>
public sealed record FlowRunnerOptions
{
    /// <summary>The clock retries wait on and timeouts are measured by. The default value is the system's.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The components a pipeline task's file may name, by the file's full path. The built-in ones when null.</summary>
    public Func<string, ComponentCatalog>? Catalogs { get; init; }

    /// <summary>How to start the <c>sluice</c> command line (the program and the arguments before <c>run</c>), for
    /// pipeline tasks with a memory limit, each of which runs in a process of its own. <c>sluice flow run</c> sets it
    /// to itself. Null (the default): such a task fails, saying so.</summary>
    public IReadOnlyList<string>? SluiceCommand { get; init; }

    /// <summary>How pipeline tasks' runs size their batches and channels (their parent run is set by the flow).</summary>
    public RunnerOptions Pipelines { get; init; } = new();

    /// <summary>Called once the flow run is recorded, before any task runs: the run, and whether it resumes an earlier
    /// one (its tasks that completed keep their results).</summary>
    public Action<FlowRunRecord, bool>? OnStart { get; init; }

    /// <summary>Called (on any thread, one call at a time) each time a task instance changes state, for live displays.</summary>
    public Action<TaskRunRecord>? OnChange { get; init; }

    /// <summary>How often a running flow looks in the state store for <c>sluice flow cancel</c>, and renews the tag
    /// slots it holds. The default value is 1 second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a tag slot outlives a process that stops renewing it without dying (a dead process of this
    /// machine frees its slots at once). The default value is 30 seconds.</summary>
    public TimeSpan TagLease { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Which flow run to start or resume.</summary>
public sealed record FlowRunRequest
{
    /// <summary>Values of the flow's parameters; the rest take their defaults.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The partition to compute, in a partitioned flow (its <c>${partition}</c>, e.g. <c>2024-01-31</c>).</summary>
    public string? Partition { get; init; }

    /// <summary>Start a new flow run even when the newest one for this partition did not succeed (by default it is
    /// resumed: its completed tasks are not run again).</summary>
    public bool Fresh { get; init; }

    /// <summary>The schedule slot this run is for: a second run for the same slot is never started.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }
}
