using System.Net;
using System.Text.RegularExpressions;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>The pages over a real run of a small CSV pipeline: what they show equals what the state file holds, and
/// replay and purge from the browser change exactly what they said they would.</summary>
public sealed partial class PagesTests : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    private Task<DashboardHost> HostAsync(params string[] pipelineFiles)
    {
        var options = new SluiceDashboardOptions { StatePath = _orders.State };
        foreach (string file in pipelineFiles)
            options.PipelineFiles.Add(file);
        return DashboardHost.StartAsync(options);
    }

    private async Task<long> QueuedAsync()
    {
        await using var store = await SqliteStateStore.OpenAsync(_orders.State);
        return await store.CountDeadLettersAsync(new DeadLetterQuery(Pipeline: "orders"));
    }

    [Fact]
    public async Task The_runs_list_shows_the_run_with_its_totals()
    {
        var outcome = await _orders.RunAsync();
        await using var host = await HostAsync();

        string page = await host.PageAsync("/sluice/");

        Assert.Contains("data-testid=\"page-runs\"", page);
        var row = RunRow().Match(page);
        Assert.True(row.Success, page);
        Assert.Equal(outcome.Run.Id, row.Groups["id"].Value);
        Assert.Contains("data-testid=\"run-read\">100<", row.Value);
        Assert.Contains($"data-testid=\"run-dead\">{OrdersPipeline.OverMax.Length}<", row.Value);
        Assert.Contains("state-succeeded", row.Value);
        Assert.DoesNotContain("http-equiv=\"refresh\"", page); // nothing is running
    }

    [Fact]
    public async Task Runs_are_paged_by_keyset_and_filtered()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
            ids.Add((await _orders.RunAsync()).Run.Id);
        await using var host = await HostAsync();

        string first = await host.PageAsync("/sluice/?limit=2");
        Assert.Equal([ids[2], ids[1]], RunRow().Matches(first).Select(m => m.Groups["id"].Value));
        string next = WebUtility.HtmlDecode(NextLink().Match(first).Groups[1].Value);
        Assert.Equal($"/sluice/?before={ids[1]}", next);
        string second = await host.PageAsync(next + "&limit=2");
        Assert.Equal([ids[0]], RunRow().Matches(second).Select(m => m.Groups["id"].Value));
        Assert.DoesNotContain("data-testid=\"next-page\"", second);

        Assert.Empty(RunRow().Matches(await host.PageAsync("/sluice/?state=failed")));
        Assert.Equal(3, RunRow().Matches(await host.PageAsync("/sluice/?q=ord&kind=pipeline")).Count);
        Assert.Single(RunRow().Matches(await host.PageAsync($"/sluice/?q={ids[1]}")));
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/sluice/?state=sleeping")).StatusCode);
    }

    [Fact]
    public async Task The_run_page_shows_each_stage_with_the_counts_the_store_holds_and_its_graph()
    {
        var outcome = await _orders.RunAsync();
        await using var host = await HostAsync();
        IReadOnlyList<StageCounts> stored;
        await using (var store = await SqliteStateStore.OpenAsync(_orders.State))
            stored = await store.GetStageCountsAsync(outcome.Run.Id);

        string page = await host.PageAsync($"/sluice/runs/{outcome.Run.Id}");

        Assert.Equal(3, stored.Count);
        foreach (var stage in stored)
        {
            var row = Regex.Match(page, $"<tr data-testid=\"stage-row\" data-stage=\"{stage.Stage}\">.*?</tr>");
            Assert.True(row.Success, $"no row for {stage.Stage}");
            Assert.Contains($"data-testid=\"stage-in\">{stage.In}<", row.Value);
            Assert.Contains($"data-testid=\"stage-out\">{stage.Out}<", row.Value);
            Assert.Contains($"data-testid=\"stage-filtered\">{stage.Filtered}<", row.Value);
            Assert.Contains($"data-testid=\"stage-dead\">{stage.DeadLettered}<", row.Value);
            Assert.Contains($"data-testid=\"graph-stage\" data-stage=\"{stage.Stage}\"", page);
        }
        Assert.Equal(stored.Sum(s => s.Inputs.Count), Regex.Matches(page, "data-testid=\"graph-edge\"").Count);
        Assert.Contains("data-from=\"source\" data-to=\"contract\"", page);
        Assert.Contains("flowchart LR", page);
        Assert.Contains("s0 --&gt; s1", page); // the Mermaid text, encoded like all text
        Assert.Contains($">{OrdersPipeline.OverMax.Length} dead letters in the queue<", page);
    }

    [Fact]
    public async Task The_dead_letter_page_lists_the_runs_letters_and_shows_a_script_as_text()
    {
        await _orders.RunAsync();
        await using var host = await HostAsync();

        string list = await host.PageAsync("/sluice/dead-letters?pipeline=orders&reason=contract");
        Assert.Equal(OrdersPipeline.OverMax.Length, Regex.Matches(list, "data-testid=\"letter-row\"").Count);
        Assert.Contains($">{OrdersPipeline.OverMax.Length} dead letters with pipeline orders, reason contract.<", list);

        long scriptLetter;
        await using (var store = await SqliteStateStore.OpenAsync(_orders.State))
            scriptLetter = (await store.ListDeadLettersAsync(new DeadLetterQuery("orders"))).Single(d => d.Position == "51").Id;
        string page = await host.PageAsync($"/sluice/dead-letters/{scriptLetter}");

        Assert.DoesNotContain(OrdersPipeline.Script, page);
        Assert.Contains("50,900,&quot;&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;&quot;", page);
        Assert.DoesNotContain("<script", page);
    }

    [Fact]
    public async Task Replaying_all_matching_letters_after_fixing_the_contract_empties_the_queue_and_writes_the_rows()
    {
        await _orders.RunAsync(max: 100);
        Assert.Equal(OrdersPipeline.Rows - OrdersPipeline.OverMax.Length, JsonlOutput.Ids(_orders.Output).Count);
        await using var host = await HostAsync(_orders.File(max: 1000));

        string confirm = await host.PageAsync("/sluice/dead-letters/confirm?do=replay-all&pipeline=orders");
        Assert.Contains($"data-count=\"{OrdersPipeline.OverMax.Length}\">Replay {OrdersPipeline.OverMax.Length} dead letters: dead letters with pipeline orders", confirm);
        var response = await host.SubmitAsync("/sluice/dead-letters/replay", confirm, [.. DashboardHost.HiddenFields(confirm, "confirm-form")
            .Where(f => f.Name != "__RequestVerificationToken")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string done = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"page-replayed\"", done);
        Assert.Contains("The replay succeeded.", done);
        Assert.Equal(0, await QueuedAsync());
        Assert.Equal(Enumerable.Range(1, OrdersPipeline.Rows).Select(i => (long)i), JsonlOutput.Ids(_orders.Output).Order());
    }

    [Fact]
    public async Task Replay_without_the_pipelines_file_says_so_instead()
    {
        await _orders.RunAsync();
        await using var host = await HostAsync();

        string confirm = await host.PageAsync("/sluice/dead-letters/confirm?do=replay-all&pipeline=orders");

        Assert.Contains("replaying needs pipeline &#x27;orders&#x27;&#x27;s file: start the dashboard with --pipeline FILE", confirm);
        Assert.DoesNotContain("id=\"confirm-form\"", confirm);
    }

    [Fact]
    public async Task Purging_a_selection_removes_exactly_those_letters()
    {
        await _orders.RunAsync();
        await using var host = await HostAsync();
        string list = await host.PageAsync("/sluice/dead-letters?pipeline=orders");
        var ids = Regex.Matches(list, "data-letter-id=\"(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value)).ToList();
        var picked = ids.Take(3).ToList();

        string confirm = await host.PageAsync("/sluice/dead-letters/confirm?do=purge-selected&" + string.Join("&", picked.Select(id => $"id={id}")));
        Assert.Contains("data-count=\"3\">Purge 3 dead letters: 3 selected dead letters.", confirm);
        var response = await host.SubmitAsync("/sluice/dead-letters/purge", confirm, [.. DashboardHost.HiddenFields(confirm, "confirm-form")
            .Where(f => f.Name != "__RequestVerificationToken")]);

        Assert.Contains("data-count=\"3\">Purged 3 dead letters", await response.Content.ReadAsStringAsync());
        await using var store = await SqliteStateStore.OpenAsync(_orders.State);
        foreach (long id in ids)
            Assert.Equal(!picked.Contains(id), await store.GetDeadLetterAsync(id) is not null);
    }

    [Fact]
    public async Task The_charts_page_draws_one_bar_per_run()
    {
        // The first run reads the file (one letter in ten); the file is consumed, so the next two read nothing.
        for (int i = 0; i < 3; i++)
            await _orders.RunAsync();
        await using var host = await HostAsync();

        string page = await host.PageAsync("/sluice/charts?pipeline=orders&n=3");
        string lastTwo = await host.PageAsync("/sluice/charts?pipeline=orders&n=2");

        Assert.Contains("data-count=\"3\"", page);
        Assert.Equal(["0.1", "0", "0"], Bars(page, "dead-ratio-chart"));
        Assert.Equal(3, Bars(page, "duration-chart").Count);
        Assert.Equal(["0", "0"], Bars(lastTwo, "dead-ratio-chart"));
    }

    private static List<string> Bars(string page, string chart)
    {
        string svg = Regex.Match(page, $"id=\"{chart}\".*?</svg>", RegexOptions.Singleline).Value;
        return [.. Regex.Matches(svg, "data-testid=\"bar\" data-value=\"([^\"]+)\"").Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex("<tr data-testid=\"run-row\" data-run-id=\"(?<id>[^\"]+)\">.*?</tr>")]
    private static partial Regex RunRow();

    [GeneratedRegex("id=\"next-page\" data-testid=\"next-page\" href=\"([^\"]+)\"")]
    private static partial Regex NextLink();
}
