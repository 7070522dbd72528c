using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Http;

/// <summary>The http source against a real paged API that fails now and then: every record read once, bad ones
/// dead-lettered, transient failures retried, and a run that failed part way resumed in the page it stopped in.</summary>
public sealed class HttpSourceTests : StateStoreTest, IAsyncLifetime
{
    private const int Pages = 5;
    private const int PerPage = 120;
    private WebApplication _api = null!;
    private int _failNextRequests;
    private int _refusePage = -1;
    private string _token = "";
    private int _requests;

    private string Url => _api.Urls.First();

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _api = builder.Build();
        _api.MapGet("/orders", Page);
        await _api.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _api.DisposeAsync();
        await DisposeAsync();
    }

    /// <summary>Page N: ids N*120 … N*120+119, one of them (id ending in 77) not an object; a relative next link.</summary>
    private IResult Page(HttpContext http, int page)
    {
        _token = http.Request.Headers.Authorization.ToString();
        Interlocked.Increment(ref _requests);
        if (Interlocked.Decrement(ref _failNextRequests) >= 0)
        {
            return Results.StatusCode(503);
        }
        if (page == _refusePage)
        {
            return Results.StatusCode(403);
        }
        var items = Enumerable.Range(page * PerPage, PerPage)
            .Select(id => id % 100 == 77 ? (object)"garbage" : new { id, name = $"n{id}" }).ToArray();
        object? next = page + 1 < Pages ? $"/orders?page={page + 1}" : null;
        return Results.Json(new { data = items, links = new { next } });
    }

    private PipelineDefinition Pipeline(string nameRule = "") => PipelineFile.Parse(Dir.Write("p.yaml", $$"""
        name: api
        checkpoint: { every_records: 100 }
        source:
          type: http
          url: {{Url}}/orders?page=0
          items: data
          next: links.next
          headers: { Authorization: "Bearer ${env:SLUICE_TEST_API_TOKEN}" }
        contract:
          fields:
            id: { type: int64, required: true }
            name: { type: string{{nameRule}} }
        sink: { type: jsonl, path: out }
        resilience:
          retry: { attempts: 4, delay: 10ms }
        """)) with { BaseDirectory = Dir.Path };

    private static readonly long[] Expected = Enumerable.Range(0, Pages * PerPage).Where(id => id % 100 != 77).Select(id => (long)id).ToArray();

    [Fact]
    public async Task Every_page_is_read_once_with_transient_failures_retried_and_bad_records_dead_lettered()
    {
        Environment.SetEnvironmentVariable("SLUICE_TEST_API_TOKEN", "api-token");
        _failNextRequests = 2;

        var outcome = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 50 }).RunAsync(Pipeline());

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Expected, JsonlOutput.Ids(Dir.File("out")).Order());
        Assert.Equal(2, outcome.Stages.Single(c => c.Stage == "source").Retries);
        Assert.Equal("Bearer api-token", _token);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id));
        Assert.Equal(Pages * PerPage - Expected.Length, letters.Count);
        Assert.All(letters, l => Assert.Equal((DeadLetterReason.Parse, "\"garbage\""), (l.Reason, System.Text.Encoding.UTF8.GetString(l.Original))));
        Assert.Contains(letters, l => l.File == $"{Url}/orders?page=1" && l.Line == 58); // id 177: the 58th record of page 1
    }

    [Fact]
    public async Task Replay_parses_the_stored_items_again_without_calling_the_api()
    {
        Environment.SetEnvironmentVariable("SLUICE_TEST_API_TOKEN", "api-token");
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 50 });
        await runner.RunAsync(Pipeline(nameRule: ", max_length: 3")); // n100 and up are too long
        int requests = _requests;

        var replay = await runner.ReplayAsync(Pipeline(), new DeadLetterQuery());

        Assert.Equal(requests, _requests); // the records came from the letters, not from the API
        Assert.True(replay.Succeeded);
        Assert.Equal(Expected, JsonlOutput.Ids(Dir.File("out")).Order()); // each once
        var left = await Store.ListDeadLettersAsync(new DeadLetterQuery("api", Limit: 100));
        Assert.Equal(Pages * PerPage - Expected.Length, left.Count); // the items that are not objects, still not
        Assert.All(left, l => Assert.Equal((DeadLetterReason.Parse, 2, "source"), (l.Reason, l.Attempts, l.Stage)));
    }

    [Fact]
    public async Task A_run_refused_part_way_resumes_in_the_page_it_stopped_in()
    {
        Environment.SetEnvironmentVariable("SLUICE_TEST_API_TOKEN", "api-token");
        _refusePage = 3;
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 50 });
        var failed = await runner.RunAsync(Pipeline());
        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.Contains("answered 403 Forbidden", failed.Error);
        Assert.Equal(0, failed.Stages.Single(s => s.Kind == StageKind.Source).Retries); // a 403 is not tried again

        _refusePage = -1;
        var resumed = await runner.StartAsync(Pipeline());
        var outcome = await resumed.Completion;

        Assert.NotNull(resumed.ResumedFrom);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(Expected, JsonlOutput.Ids(Dir.File("out")).Order());
        Assert.Equal(Pages * PerPage, outcome.Run.RecordsRead);
    }
}
