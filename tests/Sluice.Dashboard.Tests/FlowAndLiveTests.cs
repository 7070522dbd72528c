using System.Net;
using System.Text.RegularExpressions;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Tests.TestSupport;
using Sluice.Flows;

namespace Sluice.Dashboard.Tests;

/// <summary>Flow runs, pages that reload while something runs, and the HTML writer's one rule.</summary>
public sealed class FlowAndLiveTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    [Fact]
    public async Task A_flow_run_page_shows_its_tasks_attempts_and_events()
    {
        string id;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            var flows = new SqliteFlowStore(store);
            var flow = (await flows.StartFlowRunAsync("nightly", "", new Dictionary<string, string>(), "hash", null,
                new FlowTaskGraph([new("extract", "command", false, [])]), CancellationToken.None))!;
            id = flow.Run.Id;
            var started = DateTimeOffset.UtcNow;
            await flows.SaveAsync([new TaskRunRecord(id, "extract", -1, null, TaskState.Running, 1, started, null, null, null, null, null, null)], null, CancellationToken.None);
            await flows.SaveAsync([new TaskRunRecord(id, "extract", -1, null, TaskState.Failed, 2, started, started.AddSeconds(3), null, null, null, null,
                "exit code 1: <b>boom</b>")], null, CancellationToken.None);
            await flows.FinishFlowRunAsync(id, RunState.Failed, "task extract failed", CancellationToken.None);
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        var viaRuns = await host.GetAsync($"/sluice/runs/{id}");
        Assert.Equal(HttpStatusCode.Redirect, viaRuns.StatusCode);
        Assert.Equal($"/sluice/flows/{id}", viaRuns.Headers.Location!.OriginalString);
        string page = await host.PageAsync($"/sluice/flows/{id}");

        var row = Regex.Match(page, "<tr data-testid=\"task-row\" data-task=\"extract\" data-instance=\"-1\">.*?</tr>").Value;
        Assert.Contains(">failed<", row);
        Assert.Contains("data-testid=\"task-attempts\">2<", row);
        Assert.Contains("exit code 1: &lt;b&gt;boom&lt;/b&gt;", row);
        Assert.Equal(2, Regex.Matches(page, "data-testid=\"event-row\"").Count);
    }

    [Fact]
    public async Task While_a_run_is_running_its_pages_reload_themselves()
    {
        string running;
        await using (var store = await SqliteStateStore.OpenAsync(State))
            running = (await store.StartRunAsync("orders")).Id;
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5\">", await host.PageAsync("/sluice/"));
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"3\">", await host.PageAsync($"/sluice/runs/{running}"));
    }

    [Fact]
    public async Task Without_a_state_file_the_pages_say_so_and_create_none()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        Assert.Contains("data-testid=\"no-state\"", await host.PageAsync("/sluice/dead-letters"));
        Assert.False(File.Exists(State));
    }

    [Fact]
    public void Holes_are_encoded_and_only_built_markup_is_not()
    {
        string text = "<script>alert('x')</script> & \"quoted\"";
        Markup built = H.Of($"<b>{text}</b>");

        Assert.Equal("<b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;</b>", built.Value);
        Assert.Equal("<i><b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;</b></i>", H.Of($"<i>{built}</i>").Value);
        Assert.Equal("<td>1,5</td>", H.Of($"<td>{1},{5}</td>").Value);
    }
}
