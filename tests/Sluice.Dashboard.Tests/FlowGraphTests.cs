using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Dashboard.Tests.TestSupport;
using Sluice.Flows;

namespace Sluice.Dashboard.Tests;

/// <summary>A flow run's page draws the flow's task graph as the run stored it, each task in its state.</summary>
public sealed partial class FlowGraphTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    /// <summary>a → b, a → c, b + c → d; b fails, so d is skipped; c runs one instance per item.</summary>
    private const string Diamond = """
        name: diamond
        tasks:
          a:
            command: ["true"]
          b:
            command: ["false"]
            depends_on: [a]
          c:
            command: ["true"]
            depends_on: [a]
            map: { items: [x, y, z] }
          d:
            command: ["true"]
            depends_on: [b, c]
        """;

    private static readonly string[] DiamondEdges = ["a→b", "a→c", "b→d", "c→d"];

    private async Task<(string RunId, FlowDefinition Flow)> RunDiamondAsync()
    {
        var flow = FlowFile.Load(_dir.Write("diamond.yaml", Diamond));
        await using var store = await SqliteStateStore.OpenAsync(State);
        var result = (await new FlowRunner(store).RunAsync(flow))!;
        Assert.Equal(RunState.Failed, result.State);
        return (result.Run.Run.Id, flow);
    }

    [Fact]
    public async Task A_flow_run_page_draws_one_box_per_task_in_its_state_and_an_arrow_per_dependency_of_the_flow_file()
    {
        var (id, flow) = await RunDiamondAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/flows/{id}");

        Assert.Single(Regex.Matches(page, "<svg id=\"flow-graph\""));
        var boxes = TaskBox().Matches(page).ToDictionary(m => m.Groups["task"].Value, m => m.Groups["state"].Value);
        Assert.Equal(4, TaskBox().Count(page));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "completed", ["b"] = "failed", ["c"] = "completed", ["d"] = "skipped" }, boxes);
        var edges = Edge().Matches(page).Select(m => $"{m.Groups["from"].Value}→{m.Groups["to"].Value}").Order().ToList();
        Assert.Equal(DiamondEdges, edges);
        Assert.Equal(flow.Tasks.SelectMany(t => t.DependsOn.Select(u => $"{u}→{t.Name}")).Order(), edges);
        // The mapped task counts its instances by state.
        Assert.Matches("data-task=\"c\" data-state=\"completed\">(?s:.)*?mapped × 3(?s:.)*?3 completed</text>", page);
        Assert.DoesNotContain("data-testid=\"no-graph\"", page);
    }

    [Fact]
    public async Task The_api_gives_the_flow_runs_graph_with_the_same_edges()
    {
        var (id, _) = await RunDiamondAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        using var json = JsonDocument.Parse(await host.PageAsync($"/sluice/api/flow-runs/{id}"));

        var graph = json.RootElement.GetProperty("graph");
        Assert.Equal(["a", "b", "c", "d"], graph.EnumerateArray().Select(t => t.GetProperty("task").GetString()));
        Assert.Equal([false, false, true, false], graph.EnumerateArray().Select(t => t.GetProperty("mapped").GetBoolean()));
        Assert.Equal(DiamondEdges, graph.EnumerateArray()
            .SelectMany(t => t.GetProperty("dependsOn").EnumerateArray().Select(u => $"{u.GetString()}→{t.GetProperty("task").GetString()}")).Order());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("graphProblem").ValueKind);
    }

    [Fact]
    public async Task A_flow_run_stored_by_an_older_Sluice_says_it_has_no_graph_and_draws_none()
    {
        var (id, _) = await RunDiamondAsync();
        // What a Sluice before state-file migration 15 left: no graph (the column is added, empty, by the upgrade).
        await using (var store = await SqliteStateStore.OpenAsync(State))
            await store.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "UPDATE flow_runs SET task_graph = NULL";
                return await command.ExecuteNonQueryAsync();
            }, CancellationToken.None);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/flows/{id}");
        using var json = JsonDocument.Parse(await host.PageAsync($"/sluice/api/flow-runs/{id}"));

        Assert.Contains("<p id=\"no-graph\" data-testid=\"no-graph\">No graph stored for this flow run (it ran before Sluice kept one).</p>", page);
        Assert.DoesNotContain("<svg", page);
        Assert.Equal(4, Regex.Count(page, "data-testid=\"task-row\" data-task=\"[a-d]\" data-instance=\"-1\""));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("graph").ValueKind);
    }

    [Fact]
    public async Task Task_names_and_errors_in_the_graph_are_encoded()
    {
        string id;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            var flows = new SqliteFlowStore(store);
            var graph = new FlowTaskGraph([new("<b>x</b>", "command", false, []), new("y\"z", "command", false, ["<b>x</b>"])]);
            id = (await flows.StartFlowRunAsync("hostile", "", new Dictionary<string, string>(), "hash", null, graph, CancellationToken.None))!.Run.Id;
            await flows.SaveAsync([new TaskRunRecord(id, "<b>x</b>", -1, null, TaskState.Failed, 1, null, null, null, null, null, null, "<script>no</script>")],
                null, CancellationToken.None);
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/flows/{id}");

        Assert.Contains("data-task=\"&lt;b&gt;x&lt;/b&gt;\" data-state=\"failed\"", page);
        Assert.Contains("data-from=\"&lt;b&gt;x&lt;/b&gt;\" data-to=\"y&quot;z\"", page);
        Assert.Contains("&lt;script&gt;no&lt;/script&gt;", page);
        Assert.DoesNotContain("<b>x</b>", page);
        Assert.DoesNotContain("<script>", page);
    }

    [Fact]
    public async Task A_graph_that_does_not_read_is_said_on_the_page_which_still_shows_the_tasks()
    {
        var (id, _) = await RunDiamondAsync();
        await using (var store = await SqliteStateStore.OpenAsync(State))
            await store.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "UPDATE flow_runs SET task_graph = '{not json'";
                return await command.ExecuteNonQueryAsync();
            }, CancellationToken.None);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        var response = await host.GetAsync($"/sluice/flows/{id}");
        string page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("data-testid=\"no-graph\">a flow run&#x27;s task graph in the state file is not readable", page);
        Assert.Equal(4, Regex.Count(page, "data-testid=\"task-row\" data-task=\"[a-d]\" data-instance=\"-1\""));
    }

    [GeneratedRegex("<g class=\"[^\"]*\" data-testid=\"graph-task\" data-task=\"(?<task>[^\"]*)\" data-state=\"(?<state>[^\"]*)\">")]
    private static partial Regex TaskBox();

    [GeneratedRegex("data-testid=\"graph-edge\" data-from=\"(?<from>[^\"]*)\" data-to=\"(?<to>[^\"]*)\"")]
    private static partial Regex Edge();
}
