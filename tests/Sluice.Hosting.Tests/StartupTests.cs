using Sluice.Hosting.Tests.TestSupport;
using Microsoft.Extensions.Hosting;

namespace Sluice.Hosting.Tests;

/// <summary>What is wrong with a pipeline or its registration fails the host's start (or the registration), with
/// the positioned error, before any run.</summary>
public sealed class StartupTests : HostedPipelineTest
{
    [Fact]
    public async Task An_invalid_pipeline_file_fails_the_host_start_with_its_position()
    {
        WriteInput(0, 10);
        Dir.Write("p.yaml", Yaml.Replace("type: jsonl", "type: jsonl, max_rows: 5"));
        using var host = Build(s => s.AddPipeline("ids", p => p.File = "p.yaml"));

        var error = await Assert.ThrowsAsync<PipelineException>(() => host.StartAsync());

        Assert.Contains("p.yaml:7:", error.Message);
        Assert.Contains("max_rows", error.Message);
        Assert.Empty(await RunsAsync());
    }

    [Fact]
    public async Task A_pipeline_file_names_the_components_registered_in_the_options_and_only_those()
    {
        WriteInput(0, 50);
        Dir.Write("p.yaml", Yaml.Replace("sink:", "transforms:\n  - gate: {}\nsink:"));
        var gate = new GateOptions(TimeSpan.Zero, Closed: false);

        using var without = Build(s => s.AddPipeline("ids", p => p.File = "p.yaml"));
        var error = await Assert.ThrowsAsync<PipelineException>(() => without.StartAsync());
        using var with = Build(s => s.AddPipeline("ids", p =>
        {
            p.File = "p.yaml";
            p.StopHostWhenDone = true;
        }), configure: o => o.Components.AddTransform("gate", "passes batches through", gate));
        await with.StartAsync();
        await with.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Contains("gate", error.Message);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), OutputIds().Order());
        Assert.True(gate.Applied > 0, "the registered transform ran");
    }

    [Fact]
    public void Registration_refuses_options_that_name_no_pipeline_or_a_taken_name()
    {
        Build(s =>
        {
            var none = Assert.Throws<ArgumentException>(() => s.AddPipeline("a", _ => { }));
            Assert.Contains("set either File", none.Message);
            s.AddPipeline("a", p => p.File = "p.yaml");
            var twice = Assert.Throws<ArgumentException>(() => s.AddPipeline("a", p => p.File = "q.yaml"));
            Assert.Contains("already added", twice.Message);
        }).Dispose();
    }

    [Fact]
    public void Cron_slots_follow_the_time_zone_and_six_fields_count_seconds()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var winter = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 1, 0, 0, TimeSpan.Zero), PipelineSchedule.Cron("0 2 * * *", berlin).NextSlot(winter));
        Assert.Equal(winter.AddSeconds(10), PipelineSchedule.Cron("*/10 * * * * *").NextSlot(winter));
        Assert.Equal(winter.AddMinutes(1), PipelineSchedule.Cron("* * * * *").NextSlot(winter));
    }

    [Fact]
    public void An_invalid_cron_expression_is_refused_when_the_schedule_is_made()
    {
        var error = Assert.Throws<ArgumentException>(() => PipelineSchedule.Cron("every minute"));
        Assert.Contains("invalid cron expression 'every minute'", error.Message);
    }
}
