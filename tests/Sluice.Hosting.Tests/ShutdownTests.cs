using Microsoft.Extensions.Hosting;
using Sluice.Hosting.Tests.TestSupport;
using Events = Sluice.Hosting.PipelineLog.Events;

namespace Sluice.Hosting.Tests;

/// <summary>The host's shutdown stops a run gracefully — no new input, drain, final checkpoint — and the next start
/// resumes it, so that together they write every record exactly once; a run still draining when the shutdown timeout
/// runs out is cancelled, and the host waits for it before disposing the state store.</summary>
public sealed class ShutdownTests : HostedPipelineTest
{
    [Fact]
    public async Task A_stop_mid_run_checkpoints_and_the_next_start_resumes_with_every_record_once()
    {
        for (int file = 0; file < 4; file++)
            WriteInput(file, 2000);
        var slow = new GateOptions(TimeSpan.FromMilliseconds(20), Closed: false);
        var definition = slow.Insert(Definition());

        using (var host = Build(s => s.AddPipeline("ids", p => p.Definition = definition)))
        {
            await host.StartAsync();
            Assert.True(SpinWait.SpinUntil(() => slow.Applied >= 5, TimeSpan.FromSeconds(20)), "the run never got going");
            await host.StopAsync();
        }

        var stopped = Assert.Single(await RunsAsync());
        Assert.Equal(RunState.Stopped, stopped.State);
        int written = OutputIds().Count;
        Assert.True(written is > 0 and < 8000, $"{written} records written before the stop");
        await using (var store = await SqliteStateStore.OpenAsync(Dir.File("state.db")))
            Assert.Equal(written, (await store.GetLatestCheckpointAsync(stopped.Id))!.RecordsCommitted);
        Assert.Single(Logs.Of(Events.Stopping));
        Assert.Single(Logs.Of(Events.ServiceStopped));

        using (var host = Build(s => s.AddPipeline("ids", p =>
        {
            // The same stages (a run resumes only with those), without the delay.
            p.Definition = new GateOptions(TimeSpan.Zero, Closed: false).Insert(Definition());
            p.StopHostWhenDone = true;
        })))
        {
            await host.StartAsync();
            await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        var resumed = Assert.Single(Logs.Of(Events.Resumed));
        Assert.Equal(stopped.Id, resumed["RunId"]);
        Assert.Equal((long)written, resumed["RecordsCommitted"]);
        Assert.Equal(RunState.Succeeded, Assert.Single(await RunsAsync()).State);
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (long)i), OutputIds().Order());
    }

    [Fact]
    public async Task A_run_that_outlasts_the_shutdown_timeout_is_cancelled_before_the_store_closes()
    {
        WriteInput(0, 1000);
        var gate = new GateOptions(TimeSpan.Zero, Closed: true);
        var definition = gate.Insert(Definition());
        using var host = Build(s => s.AddPipeline("ids", p => p.Definition = definition), shutdownTimeout: TimeSpan.FromSeconds(1));

        await host.StartAsync();
        Assert.True(SpinWait.SpinUntil(() => gate.Applied >= 1, TimeSpan.FromSeconds(20)), "the run never got going");
        var stopping = host.StopAsync();
        Logs.WaitFor(Events.Stopping);
        await Task.Delay(TimeSpan.FromSeconds(3)); // well past the timeout: the run is being cancelled
        Assert.False(stopping.IsCompleted, "the host stopped while its run still went on");
        gate.Open();
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Single(Logs.Of(Events.Cancelled));
        Assert.Equal(RunState.Cancelled, Assert.Single(await RunsAsync()).State);
        Assert.Empty(OutputIds()); // nothing was checkpointed: the next run redoes it all
    }
}
