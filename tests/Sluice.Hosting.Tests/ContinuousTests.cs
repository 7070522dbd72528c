using Sluice.Hosting.Tests.TestSupport;
using Events = Sluice.Hosting.PipelineLog.Events;

namespace Sluice.Hosting.Tests;

/// <summary><see cref="PipelineSchedule.Continuous"/>: one run that follows its input until the host stops.</summary>
public sealed class ContinuousTests : HostedPipelineTest
{
    [Fact]
    public async Task The_run_picks_up_files_that_arrive_and_stops_with_the_host()
    {
        WriteInput(0, 100);
        Dir.Write("p.yaml", Yaml.Replace("every_seconds: 0", "every_seconds: 0.2"));
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.File = "p.yaml";
            p.Schedule = PipelineSchedule.Continuous;
        }));

        await host.StartAsync();
        Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 100, TimeSpan.FromSeconds(20)), "the first file was not published");
        WriteInput(1, 100);
        Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 200, TimeSpan.FromSeconds(20)), "the file that arrived was not read");
        await host.StopAsync();

        var run = Assert.Single(await RunsAsync());
        Assert.Equal(RunState.Stopped, run.State);
        Assert.Single(Logs.Of(Events.Started));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), OutputIds().Order());
    }

    [Fact]
    public async Task A_run_that_could_not_start_is_tried_again_after_the_retry_delay()
    {
        var definition = Definition(Yaml.Replace("every_seconds: 0", "every_seconds: 0.2"));
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.Definition = definition;
            p.Schedule = PipelineSchedule.Continuous;
            p.RetryDelay = TimeSpan.FromMilliseconds(200);
        }));

        await host.StartAsync();
        Logs.WaitFor(Events.Retrying, count: 2); // no input file yet: each attempt fails to build its source
        WriteInput(0, 100);
        Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 100, TimeSpan.FromSeconds(20)), "the retried run never read the file");
        await host.StopAsync();

        Assert.True(Logs.Of(Events.StartFailed).Count >= 2);
        Assert.Equal(RunState.Stopped, Assert.Single(await RunsAsync()).State);
    }
}
