using Sluice.Flows;

namespace Sluice.Tests.Flows;

/// <summary>A flow run keeps the graph of its tasks (state-file migration 15), so the dashboard can draw it.</summary>
public sealed class TaskGraphTests : FlowTest
{
    private FlowDefinition Diamond() => Flow()
        .Task("a", t => t.Run((_, _) => System.Threading.Tasks.Task.FromResult<System.Text.Json.Nodes.JsonNode?>(1)))
        .Task("b", t => t.Command("true").DependsOn("a").MapItems(["x", "y"]))
        .Task("c", t => t.Command("true").DependsOn("a"))
        .Task("d", t => t.Command("true").DependsOn("c", "b"))
        .Build();

    [Fact]
    public async Task A_flow_run_keeps_each_tasks_kind_mapping_and_upstream_tasks_in_declaration_order()
    {
        var result = await RunAsync(Diamond());

        var graph = await new SqliteFlowStore(Store).FindTaskGraphAsync(result.Run.Run.Id, CancellationToken.None);

        Assert.NotNull(graph);
        Assert.Equal(["a", "b", "c", "d"], graph.Tasks.Select(t => t.Task));
        Assert.Equal(["code", "command", "command", "command"], graph.Tasks.Select(t => t.Kind));
        Assert.Equal([false, true, false, false], graph.Tasks.Select(t => t.Mapped));
        Assert.Equal(["", "a", "a", "c,b"], graph.Tasks.Select(t => string.Join(",", t.DependsOn)));
    }

    [Fact]
    public async Task A_run_stored_without_a_graph_has_none_until_it_is_resumed_with_the_flow()
    {
        var flow = Flow().Task("a", t => t.Run(Counting([], "a", failOn: _ => true))).Task("b", t => t.Command("true").DependsOn("a")).Build();
        var failed = await RunAsync(flow);
        var store = new SqliteFlowStore(Store);
        // What a Sluice before migration 15 left: the column there (added by the upgrade) but empty.
        await Store.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE flow_runs SET task_graph = NULL";
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None);
        Assert.Null(await store.FindTaskGraphAsync(failed.Run.Run.Id, CancellationToken.None));

        var resumed = await RunAsync(flow);

        Assert.True(resumed.Resumed);
        var graph = await store.FindTaskGraphAsync(resumed.Run.Run.Id, CancellationToken.None);
        Assert.Equal(["a", "b"], graph!.Tasks.Select(t => t.Task));
        Assert.Equal(["a"], graph.Tasks[1].DependsOn);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("[{\"task\": \"a\"}]")]
    [InlineData("[{\"task\": 1, \"kind\": \"command\", \"mapped\": false, \"depends_on\": []}]")]
    public void A_graph_that_is_not_one_Sluice_wrote_is_refused_as_unreadable(string json) =>
        Assert.Throws<InvalidDataException>(() => FlowTaskGraph.Parse(json));

    [Fact]
    public void A_graph_reads_back_as_it_was_written() =>
        Assert.Equivalent(FlowTaskGraph.Of(Diamond()), FlowTaskGraph.Parse(FlowTaskGraph.Of(Diamond()).ToJson()), strict: true);
}
