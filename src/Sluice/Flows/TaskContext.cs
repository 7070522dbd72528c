using System.Text.Json.Nodes;

namespace Sluice.Flows;

/// <summary>What a running task instance knows: the flow run, its parameters, its item and upstream results.</summary>
public sealed class TaskContext
{
    internal TaskContext(string flowRunId, string task, int attempt, IReadOnlyDictionary<string, string> parameters,
        string? item, string? partition, IReadOnlyDictionary<string, JsonNode?> upstream)
    {
        FlowRunId = flowRunId;
        Task = task;
        Attempt = attempt;
        Parameters = parameters;
        Item = item;
        Partition = partition;
        Upstream = upstream;
    }

    public string FlowRunId { get; }

    public string Task { get; }

    /// <summary>1 for the first attempt, 2 for the next …, counted over every process that ran it: a resumed flow run
    /// goes on counting (as <c>SLUICE_ATTEMPT</c> does for a command).</summary>
    public int Attempt { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The item of a mapped instance; null otherwise.</summary>
    public string? Item { get; }

    /// <summary>The flow run's partition (<c>2024-01-31</c>) in a partitioned flow; null otherwise.</summary>
    public string? Partition { get; }

    /// <summary>The results of the tasks it depends on, by name (a mapped task's is the array of its instances').</summary>
    public IReadOnlyDictionary<string, JsonNode?> Upstream { get; }
}
