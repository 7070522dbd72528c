using Microsoft.Extensions.Time.Testing;
using Sluice.Hosting.Tests.TestSupport;
using Events = Sluice.Hosting.PipelineLog.Events;

namespace Sluice.Hosting.Tests;

/// <summary>A hosted pipeline's <c>freshness:</c> and <c>sla:</c> are judged while the host runs, as <c>sluice
/// serve</c> judges them: each miss logged and sent to its webhook once, also across a restart of the host.</summary>
public sealed class PromisesTests : HostedPipelineTest
{
    [Fact]
    public async Task A_freshness_miss_is_logged_and_sent_once_also_after_the_host_restarts()
    {
        using var hook = new WebhookReceiver();
        WriteInput(0, 10);
        Dir.Write("p.yaml", Yaml + $"\nfreshness: 1h\nalerts: {{ webhook: \"{hook.Url}\" }}\n");
        // The state file's timestamps come from the system clock; the host judges by this one, moved on two hours.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

        using (var host = Build(s => s.AddPipeline("ids", p => p.File = "p.yaml"), clock: clock))
        {
            await host.StartAsync();
            Logs.WaitFor(Events.Finished);
            Assert.Empty(Logs.Of(Events.AlertMissed)); // fresh: its data is minutes old
            clock.Advance(TimeSpan.FromHours(2));
            Logs.WaitFor(Events.AlertSent);
            await host.StopAsync();
        }
        using (var again = Build(s => s.AddPipeline("ids", p => p.File = "p.yaml"), clock: clock))
        {
            await again.StartAsync();
            Logs.WaitFor(Events.Finished, count: 2); // it read nothing new: the data is as old as before
            clock.Advance(TimeSpan.FromMinutes(1));
            Thread.Sleep(500); // a pass of the monitor, had it anything to send
            await again.StopAsync();
        }

        var missed = Assert.Single(Logs.Of(Events.AlertMissed));
        Assert.Equal(("ids", "freshness"), (missed["Pipeline"], missed["Promise"]));
        Assert.Single(Logs.Of(Events.AlertSent));
        var sent = Assert.Single(hook.Accepted);
        Assert.Contains("\"freshness\"", sent.Body);
        Assert.Equal(missed["AlertKey"], sent.IdempotencyKey);
    }
}
