using Sluice.Flows;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Flows;

/// <summary>The <c>schedule:</c> and <c>partitions:</c> keys, and the slots and partitions they mean.</summary>
public sealed class ScheduleFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private FlowDefinition Load(string yaml) => FlowFile.Load(_dir.Write("flow.yaml", yaml));

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_schedule_and_partitions_read_into_the_definition()
    {
        var flow = Load("""
            name: nightly
            schedule: { cron: "0 2 * * *", time_zone: Europe/Paris, catch_up: all }
            partitions: daily from 2024-01-01 to 2024-12-31
            tasks: { a: { command: [echo, "${partition}"] } }
            """);
        var plain = Load("name: n\nschedule: \"*/5 * * * *\"\npartitions: daily from 2024-01-01\ntasks: { a: { command: [echo] } }");

        Assert.Equal(("0 2 * * *", "Europe/Paris", CatchUp.All), (flow.Schedule!.Cron, flow.Schedule.TimeZone.Id, flow.Schedule.CatchUp));
        Assert.Equal(FlowPartitions.Daily(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31)), flow.Partitions);
        Assert.Equal(("UTC", CatchUp.Latest), (plain.Schedule!.TimeZone.Id, plain.Schedule.CatchUp));
        Assert.Equal((new DateOnly(2024, 1, 1), (DateOnly?)null), (plain.Partitions!.From, plain.Partitions.To));
    }

    [Theory]
    [InlineData("schedule: \"0 25 * * *\"", "2:11", "is not a cron expression")]
    [InlineData("schedule: \"0 0 30 2 *\"", "2:11", "'0 0 30 2 *' never fires (no date has that day in that month)")]
    [InlineData("schedule: { cron: \"0 2 * * *\", time_zone: Europe/Pariss }", "2:43", "unknown time zone 'Europe/Pariss': write an IANA time zone id")]
    [InlineData("schedule: { cron: \"0 2 * * *\", catch_up: sometimes }", "2:42", "catch_up")]
    [InlineData("partitions: daily from 2024-13-01", "2:13", "'2024-13-01' is not a date: write it as YYYY-MM-DD")]
    [InlineData("partitions: hourly from 2024-01-01", "2:13", "'hourly' partitions are not supported, only daily ones")]
    [InlineData("partitions: daily since 2024-01-01", "2:13", "write `daily from 2024-01-01`")]
    [InlineData("partitions: daily from 2024-02-01 to 2024-01-01", "2:13", "the last day (2024-01-01) is before the first (2024-02-01)")]
    public void A_bad_schedule_or_partitioning_is_a_problem_at_its_value(string line, string place, string reason)
    {
        var problems = Assert.Throws<PipelineException>(() => Load($"name: f\n{line}\ntasks: {{ a: {{ command: [echo] }} }}")).Diagnostics
            .Select(d => d.ToString().Replace(_dir.Path + "/", "", StringComparison.Ordinal)).ToList();

        Assert.Contains(problems, p => p.StartsWith($"flow.yaml:{place}", StringComparison.Ordinal) && p.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void The_JSON_schema_declares_the_schedule_and_partitions_keys()
    {
        string schema = System.Text.Json.Nodes.JsonNode.Parse(FlowFile.JsonSchema())!.ToJsonString();

        foreach (string key in new[] { "schedule", "cron", "time_zone", "catch_up", "partitions" })
        {
            Assert.Contains($"\"{key}\"", schema, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Slots_in_Paris_follow_daylight_saving_a_skipped_time_runs_at_the_end_of_the_gap_a_repeated_one_once()
    {
        var schedule = FlowSchedule.Parse("30 2 * * *", "Europe/Paris");

        // 31 March 2024: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
        Assert.Equal([Utc("2024-03-30T01:30"), Utc("2024-03-31T01:00"), Utc("2024-04-01T00:30")],
            schedule.SlotsBetween(Utc("2024-03-30T00:00"), Utc("2024-04-01T12:00")));
        // 27 October 2024: 03:00 CEST falls back to 02:00 CET, so 02:30 comes twice; the first one runs.
        Assert.Equal([Utc("2024-10-26T00:30"), Utc("2024-10-27T00:30"), Utc("2024-10-28T01:30")],
            schedule.SlotsBetween(Utc("2024-10-26T00:00"), Utc("2024-10-28T12:00")));
    }

    [Fact]
    public void A_scheduled_run_computes_the_day_before_its_slot_in_the_schedule_time_zone()
    {
        var paris = FlowSchedule.Parse("0 2 * * *", "Europe/Paris").TimeZone;

        // 00:30 in Paris on 1 March is still 29 February in UTC: the partition follows the schedule's zone.
        Assert.Equal(new DateOnly(2024, 2, 29), FlowPartitions.ForSlot(Utc("2024-02-29T23:30"), paris));
        Assert.Equal(new DateOnly(2024, 2, 28), FlowPartitions.ForSlot(Utc("2024-02-29T23:30"), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Building_in_CSharp_refuses_a_bad_schedule_at_once_saying_what_to_write()
    {
        var cron = Assert.Throws<ArgumentException>(() => new FlowBuilder("f").Schedule("every night"));
        var zone = Assert.Throws<ArgumentException>(() => new FlowBuilder("f").Schedule("0 2 * * *", "Mars/Olympus"));

        Assert.Contains("write five fields, minute hour day month weekday", cron.Message, StringComparison.Ordinal);
        Assert.Contains("write an IANA time zone id", zone.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FlowPartitions.Daily(new DateOnly(2024, 2, 1), new DateOnly(2024, 1, 1)));
    }
}
