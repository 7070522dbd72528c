using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Sluice.Flows;
using Sluice.State;

namespace Sluice.FlowBench;

/// <summary>The three flows of bench/flows.sh, every task a C# delegate that does nothing, so what is timed is the
/// engine: scheduling, and recording every state change in the state file.</summary>
internal static class FlowShapes
{
    private static readonly Func<TaskContext, CancellationToken, Task<JsonNode?>> Nothing = (_, _) => Task.FromResult<JsonNode?>(null);

    public static FlowDefinition Independent(int count)
    {
        var flow = new FlowBuilder("independent");
        for (int i = 0; i < count; i++)
        {
            flow.Task($"t{i}", t => t.Run(Nothing));
        }
        return flow.Build();
    }

    public static FlowDefinition Mapped(int count)
    {
        string[] items = [.. Enumerable.Range(0, count).Select(i => $"{i}")];
        return new FlowBuilder("mapped").Task("each", t => t.Run(Nothing).MapItems(items)).Build();
    }

    public static FlowDefinition Chain(int count)
    {
        var flow = new FlowBuilder("chain").Task("t0", t => t.Run(Nothing));
        for (int i = 1; i < count; i++)
        {
            string previous = $"t{i - 1}";
            flow.Task($"t{i}", t => t.Run(Nothing).DependsOn(previous));
        }
        return flow.Build();
    }

    /// <summary>Runs the flow on a state file and returns the task state changes it recorded there.</summary>
    public static async Task<long> RunAsync(FlowDefinition flow, string stateFile)
    {
        await using (var store = await SqliteStateStore.OpenAsync(stateFile))
        {
            var result = await new FlowRunner(store).RunAsync(flow);
            if (result?.State != RunState.Succeeded)
            {
                throw new InvalidOperationException($"flow '{flow.Name}' ended {result?.State}");
            }
        }
        await using var connection = new SqliteConnection($"Data Source={stateFile}");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM task_events";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
