using Microsoft.Extensions.Time.Testing;
using Sluice.Hosting.Tests.TestSupport;
using Events = Sluice.Hosting.PipelineLog.Events;

namespace Sluice.Hosting.Tests;

/// <summary><see cref="PipelineSchedule.Cron"/>: a run at each slot (every second here, in the seconds format), never
/// two at once, and a pipeline held elsewhere waits for the next slot.</summary>
public sealed class CronTests : HostedPipelineTest
{
    [Fact]
    public async Task Each_slot_runs_the_pipeline_on_the_input_that_arrived_since()
    {
        WriteInput(0, 100);
        Dir.Write("p.yaml", Yaml);
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.File = "p.yaml";
            p.Schedule = EverySecond;
        }));

        await host.StartAsync();
        Logs.WaitFor(Events.Finished);
        WriteInput(1, 100);
        Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 200, TimeSpan.FromSeconds(20)), "the second file was never read");
        await host.StopAsync();

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), OutputIds().Order());
        var runs = await RunsAsync();
        Assert.True(runs.Count >= 2, $"{runs.Count} runs");
        // The stop may come during a run (one a second): that one ends stopped, having read nothing new.
        Assert.All(runs, r => Assert.True(r.State is RunState.Succeeded or RunState.Stopped, $"run {r.Id} {r.State}"));
        Assert.Equal(200, runs.Sum(r => r.RecordsRead)); // a file already consumed is not read again
        Assert.Equal(runs.Count, Logs.Of(Events.Started).Count);
    }

    [Fact]
    public async Task A_slot_that_comes_while_the_run_goes_on_is_skipped_and_logged()
    {
        WriteInput(0, 100);
        var gate = new GateOptions(TimeSpan.Zero, Closed: true);
        var definition = gate.Insert(Definition());
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.Definition = definition;
            p.Schedule = EverySecond;
        }));

        await host.StartAsync();
        Logs.WaitFor(Events.SlotSkipped, count: 2);
        gate.Open();
        Logs.WaitFor(Events.Finished);
        await host.StopAsync();

        var first = Logs.Of(Events.Started)[0];
        Assert.All(Logs.Of(Events.SlotSkipped).Take(2), skipped => Assert.Equal(first["RunId"], skipped["RunId"]));
        Assert.Equal(first["RunId"], Logs.Of(Events.Finished)[0]["RunId"]);
        // While it went on no other run started: the next one comes only after it finished.
        var order = Logs.Entries.Select(e => e.EventId).Where(id => id is Events.Started or Events.Finished).ToList();
        Assert.Equal([Events.Started, Events.Finished], order.Take(2));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), OutputIds().Order());
    }

    [Fact]
    public async Task A_pipeline_another_process_holds_is_logged_and_run_at_a_later_slot()
    {
        WriteInput(0, 100);
        Dir.Write("p.yaml", Yaml);
        await using (var other = await SqliteStateStore.OpenAsync(Dir.File("state.db")))
        {
            var lease = await other.AcquireLeaseAsync("ids", "elsewhere:1:other", TimeSpan.FromMinutes(5));
            using var host = Build(s => s.AddPipeline("ids", p =>
            {
                p.File = "p.yaml";
                p.Schedule = EverySecond;
            }));
            await host.StartAsync();
            Logs.WaitFor(Events.LeaseHeld, count: 2);
            Assert.Empty(await other.ListRunsAsync("ids"));

            await other.ReleaseLeaseAsync(lease);
            Logs.WaitFor(Events.Finished);
            await host.StopAsync();
        }

        Assert.Equal("elsewhere:1:other", Logs.Of(Events.LeaseHeld)[0]["Holder"]);
        Assert.Equal(RunState.Succeeded, (await RunsAsync())[^1].State);
        Assert.Equal(100, OutputIds().Count);
    }

    [Fact]
    public async Task A_slot_months_away_is_waited_for_by_the_hosts_clock()
    {
        WriteInput(0, 10);
        Dir.Write("p.yaml", Yaml);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        var slot = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero); // 179 days: more than one Task.Delay can wait
        using var host = Build(s => s.AddPipeline("ids", p =>
        {
            p.File = "p.yaml";
            p.Schedule = PipelineSchedule.Cron("0 0 1 6 *");
        }), clock: clock);

        await host.StartAsync();
        while (clock.GetUtcNow() < slot)
        {
            Assert.Empty(Logs.Of(Events.Started)); // nothing before its slot
            clock.Advance(TimeSpan.FromHours(12));
            Thread.Sleep(1);
        }
        // At the slot: a step of the wait that the service set up while the clock moved counts from then (up to one
        // 12-hour step late on a busy machine), so nudge the clock on; the service runs the slot it waited for even
        // when it wakes past it, so overshooting is harmless (the next slot is a year away).
        for (int i = 0; i < 3000 && Logs.Of(Events.Started).Count == 0; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            Thread.Sleep(1);
        }
        Logs.WaitFor(Events.Finished);
        await host.StopAsync();

        Assert.Equal(10, OutputIds().Count);
    }
}
