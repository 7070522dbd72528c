using Microsoft.Extensions.Hosting;
using Sluice.Hosting.Tests.TestSupport;
using Events = Sluice.Hosting.PipelineLog.Events;

namespace Sluice.Hosting.Tests;

/// <summary><see cref="PipelineSchedule.Once"/>: one run at start, logged with its counts, then nothing.</summary>
public sealed class OnceTests : HostedPipelineTest
{
    [Fact]
    public async Task Runs_the_pipeline_file_once_and_stops_the_host_when_asked()
    {
        WriteInput(0, 500);
        Dir.Write("p.yaml", Yaml);
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.File = "p.yaml";
            p.StopHostWhenDone = true;
        }));

        await host.StartAsync();
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), OutputIds().Order());
        var run = Assert.Single(await RunsAsync());
        Assert.Equal(RunState.Succeeded, run.State);
        var finished = Assert.Single(Logs.Of(Events.Finished));
        Assert.Equal(run.Id, finished["RunId"]);
        Assert.Equal(500L, finished["RecordsIn"]);
        Assert.Equal(500L, finished["RecordsOut"]);
        Assert.Equal(0L, finished["DeadLettered"]);
        Assert.Equal(1, finished["PublishedFiles"]);
    }

    [Fact]
    public async Task A_definition_built_in_code_runs_under_the_registered_name()
    {
        WriteInput(0, 50);
        var definition = Definition();
        using var host = Build(s => s.AddPipeline("from-code", p => p.Definition = definition));

        await host.StartAsync();
        Logs.WaitFor(Events.Finished);
        await host.StopAsync();

        Assert.Equal(50, OutputIds().Count);
        Assert.Equal(RunState.Succeeded, Assert.Single(await RunsAsync("from-code")).State);
        Assert.Empty(await RunsAsync("ids"));
    }

    [Fact]
    public async Task Two_pipelines_in_one_host_share_the_state_store_and_run_side_by_side()
    {
        WriteInput(0, 30);
        Dir.Write("other/in/0.csv", IdsCsv.Of(100, 20));
        Dir.Write("p.yaml", Yaml);
        Dir.Write("other/p.yaml", Yaml);
        using var host = Build(s => s
            .AddPipeline("ids", p => p.File = "p.yaml")
            .AddPipeline("other", p => p.File = "other/p.yaml"));

        await host.StartAsync();
        Logs.WaitFor(Events.Finished, count: 2);
        await host.StopAsync();

        Assert.Equal(30, OutputIds().Count);
        Assert.Equal(Enumerable.Range(100, 20).Select(i => (long)i), JsonlOutput.Ids(Dir.File("other/out")).Order());
        Assert.Equal(RunState.Succeeded, Assert.Single(await RunsAsync("ids")).State);
        Assert.Equal(RunState.Succeeded, Assert.Single(await RunsAsync("other")).State);
    }

    [Fact]
    public async Task A_run_that_cannot_start_is_logged_and_the_host_goes_on()
    {
        // A definition is checked when its run starts: the missing input fails that run, not the host.
        var definition = Definition();
        using var host = Build(s => s.AddPipeline("ids", p => p.Definition = definition));

        await host.StartAsync();
        Logs.WaitFor(Events.StartFailed);
        await host.StopAsync();

        Assert.Contains("no file matches 'in/*.csv'", (string)Logs.Of(Events.StartFailed)[0]["Error"]!);
        Assert.Empty(await RunsAsync());
    }

    [Fact]
    public async Task A_run_whose_process_died_is_closed_and_logged_before_the_next_one()
    {
        WriteInput(0, 20);
        Dir.Write("p.yaml", Yaml);
        string died;
        await using (var store = await SqliteStateStore.OpenAsync(Dir.File("state.db")))
            died = (await store.StartRunAsync("ids")).Id;
        using var host = Build(s => s.AddPipeline("ids", p => p.File = "p.yaml"));

        await host.StartAsync();
        Logs.WaitFor(Events.Finished);
        await host.StopAsync();

        Assert.Equal(died, Assert.Single(Logs.Of(Events.Abandoned))["AbandonedRunId"]);
        var runs = await RunsAsync();
        Assert.Equal(PipelineRunner.AbandonedMessage, runs.Single(r => r.Id == died).Error);
        Assert.Equal(RunState.Succeeded, runs.Single(r => r.Id != died).State);
    }
}
