using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Flows;

/// <summary>
/// A flow's tasks as a flow run keeps them (<c>flow_runs.task_graph</c>): each task's kind, whether it is mapped, and
/// the tasks it waits for, in declaration order. The run's task rows do not say what depends on what, and the flow
/// file may have changed since, so this is what the dashboard draws — the graph <c>sluice graph</c> prints of the
/// definition the run ran.
/// </summary>
internal sealed record FlowTaskGraph(IReadOnlyList<FlowTaskGraph.Node> Tasks)
{
    /// <param name="Kind">The action's kind: <c>pipeline</c>, <c>command</c> or <c>code</c>.</param>
    /// <param name="Mapped">It runs one instance per item of a list.</param>
    /// <param name="DependsOn">The tasks it waits for, each once.</param>
    public sealed record Node(string Task, string Kind, bool Mapped, IReadOnlyList<string> DependsOn);

    public static FlowTaskGraph Of(FlowDefinition flow) => new([.. flow.Tasks.Select(t =>
        new Node(t.Name, t.Action.Kind, t.Map is not null, [.. t.DependsOn.Distinct(StringComparer.Ordinal)]))]);

    /// <summary>A JSON array (not an object keyed by name) so that declaration order survives any reader.</summary>
    public string ToJson() => new JsonArray([.. Tasks.Select(t => (JsonNode)new JsonObject
    {
        ["task"] = t.Task,
        ["kind"] = t.Kind,
        ["mapped"] = t.Mapped,
        ["depends_on"] = new JsonArray([.. t.DependsOn.Select(d => (JsonNode)JsonValue.Create(d))]),
    })]).ToJsonString();

    /// <exception cref="InvalidDataException">The text is not a graph this class wrote.</exception>
    public static FlowTaskGraph Parse(string json)
    {
        try
        {
            return new FlowTaskGraph([.. Array(JsonNode.Parse(json)).Select(t => new Node(
                Member(t, "task").GetValue<string>(), Member(t, "kind").GetValue<string>(), Member(t, "mapped").GetValue<bool>(),
                [.. Array(Member(t, "depends_on")).Select(d => (d ?? throw Unreadable("null upstream")).GetValue<string>())]))]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Unreadable(e.Message);
        }
    }

    private static JsonArray Array(JsonNode? node) => node as JsonArray ?? throw Unreadable("an array was expected");

    private static JsonNode Member(JsonNode? task, string name) =>
        (task as JsonObject)?[name] ?? throw Unreadable($"a task without '{name}'");

    private static InvalidDataException Unreadable(string why) =>
        new($"a flow run's task graph in the state file is not readable: {why}");
}
