using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Expectations;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>
/// <c>expect:</c> gates on real files: each kind passes on data that meets it and fails the run (quality gate, nothing
/// of the final checkpoint published) on data that does not; <c>on_fail: warn</c> only reports; results are stored;
/// statistics survive a resume; bad values and unknown columns are reported where they are written.
/// </summary>
public sealed class ExpectationTests : StateStoreTest
{
    private const int Rows = 1000;

    /// <summary>The newest time in the input: an hour ago, so that freshness has an age to measure.</summary>
    private static readonly DateTimeOffset Newest = DateTimeOffset.UtcNow.AddHours(-1);

    /// <summary>Checkpoints only at the end, so a failed gate leaves nothing published at all.</summary>
    private static string Yaml(string expect, string name = "gates", string checkpoint = "{ every_records: 0, every_seconds: 0 }") => $"""
        name: {name}
        checkpoint: {checkpoint}
        source: {"{"} type: csv, path: "in/*.csv" {"}"}
        contract:
          fields:
            id: {"{"} type: int64, required: true {"}"}
            delay: {"{"} type: int64 {"}"}
            origin: {"{"} type: string {"}"}
            day: {"{"} type: date {"}"}
            at: {"{"} type: timestamp {"}"}
        sink: {"{"} type: jsonl, path: out {"}"}
        expect:
        {expect}
        """;

    /// <summary>Rows with every 10th delay empty, origins cycling through 3 codes, dates and times counting back
    /// from <paramref name="newest"/> (one hour, one day per row).</summary>
    private void WriteInput(string file, int first, int count, DateTimeOffset newest)
    {
        var text = new StringBuilder("id,delay,origin,day,at\n");
        string[] origins = ["AMS", "BOS", "CDG"];
        for (int i = first; i < first + count; i++)
        {
            string delay = i % 10 == 0 ? "" : (i % 50).ToString(CultureInfo.InvariantCulture);
            var at = newest.AddHours(-i);
            text.Append(CultureInfo.InvariantCulture, $"{i},{delay},{origins[i % 3]},{newest.AddDays(-i):yyyy-MM-dd},{at:yyyy-MM-ddTHH:mm:ssZ}\n");
        }
        Dir.Write("in/" + file, text.ToString());
    }

    private async Task<RunOutcome> RunAsync(string expect, string name = "gates")
    {
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(expect, name))) with { BaseDirectory = Dir.Path };
        return await new PipelineRunner(Store).RunAsync(pipeline);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WriteInput("a.csv", 0, Rows, Newest);
    }

    [Theory]
    [InlineData("  - row_count: { min: 1000, max: 1000 }", "row_count between 1,000 and 1,000", "1,000")]
    [InlineData("  - null_ratio: { column: delay, max: 0.1 }", "null_ratio(delay) ≤ 0.1", "0.1 (100 of 1,000)")]
    [InlineData("  - distinct_count: { column: origin, min: 3, max: 3 }", "distinct_count(origin) between 3 and 3", "3")]
    [InlineData("  - freshness: { column: at, max_age: 2h }", "freshness(at) ≤ 2h old", ", 1h")]
    [InlineData("  - freshness: { column: day, max_age: 26h }", "freshness(day) ≤ 26h old", "old")]
    public async Task An_expectation_that_holds_lets_the_run_succeed_and_is_stored_as_passed(string expect, string described, string measured)
    {
        var outcome = await RunAsync(expect);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var result = Assert.Single(await Store.GetExpectationResultsAsync(outcome.Run.Id));
        Assert.Equal((described, true, "passed"), (result.Expectation, result.Passed, result.Outcome));
        Assert.Contains(measured, result.Measured);
        Assert.Equal(Rows, JsonlOutput.Ids(Dir.File("out")).Count);
        Assert.Equal(result, Assert.Single(outcome.Expectations));
    }

    [Theory]
    [InlineData("  - row_count: { min: 1001 }", "row_count ≥ 1,001", "1,000")]
    [InlineData("  - row_count: { max: 999 }", "row_count ≤ 999", "1,000")]
    [InlineData("  - null_ratio: { column: delay, max: 0.05 }", "null_ratio(delay) ≤ 0.05", "0.1 (100 of 1,000)")]
    [InlineData("  - distinct_count: { column: origin, min: 4 }", "distinct_count(origin) ≥ 4", "3")]
    [InlineData("  - distinct_count: { column: id, max: 999 }", "distinct_count(id) ≤ 999", "1,000")]
    [InlineData("  - freshness: { column: at, max_age: 30m }", "freshness(at) ≤ 30m old", ", 1h")]
    public async Task A_broken_expectation_fails_the_quality_gate_and_publishes_nothing_of_the_final_checkpoint(string expect, string described, string measured)
    {
        var outcome = await RunAsync(expect);

        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
        Assert.StartsWith($"quality gate failed: expectation {described} not met: measured ", outcome.Error);
        Assert.Contains(measured, outcome.Error);
        Assert.Empty(JsonlOutput.Ids(Dir.File("out")));
        Assert.Empty(await Store.ListCheckpointsAsync(outcome.Run.Id));
        var result = Assert.Single(await Store.GetExpectationResultsAsync(outcome.Run.Id));
        Assert.Equal((false, "FAILED"), (result.Passed, result.Outcome));
        Assert.Empty(Directory.GetFiles(Dir.File("out"), "*", SearchOption.AllDirectories)); // nothing left in progress either
    }

    [Fact]
    public async Task Freshness_fails_on_old_data()
    {
        Directory.Delete(Dir.File("in"), recursive: true);
        WriteInput("old.csv", 0, 10, DateTimeOffset.UtcNow.AddDays(-3));

        var outcome = await RunAsync("  - freshness: { column: day, max_age: 48h }");

        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
        Assert.Contains("freshness(day) ≤ 48h old not met: measured newest ", outcome.Error);
    }

    [Fact]
    public async Task A_warning_lets_the_run_succeed_and_is_stored_with_the_results_that_passed()
    {
        var outcome = await RunAsync("""
              - row_count: { min: 1 }
              - null_ratio: { column: delay, max: 0.01 }
                on_fail: warn
            """);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Null(outcome.Error);
        Assert.Equal(Rows, JsonlOutput.Ids(Dir.File("out")).Count);
        var results = await Store.GetExpectationResultsAsync(outcome.Run.Id);
        Assert.Equal(["passed", "warning"], results.Select(r => r.Outcome));
        Assert.Equal(ExpectationSeverity.Warn, results[1].Severity);
        Assert.Equal("0.1 (100 of 1,000)", results[1].Measured);
    }

    [Fact]
    public async Task Row_count_change_compares_with_the_previous_succeeded_run()
    {
        const string Expect = "  - row_count_change: { max_percent: 20 }";
        var first = await RunAsync(Expect);
        Assert.Equal(RunState.Succeeded, first.Run.State);
        Assert.Contains("no previous succeeded run", Assert.Single(first.Expectations).Measured);

        // A file is read by one run only (incremental loads): each run's count is its new files'.
        WriteInput("b.csv", Rows, 1150, Newest);
        var second = await RunAsync(Expect);
        Assert.Equal(RunState.Succeeded, second.Run.State);
        Assert.Equal("+15 % (1,150 vs 1,000)", Assert.Single(second.Expectations).Measured);

        WriteInput("c.csv", 3000, 700, Newest);
        var third = await RunAsync(Expect);
        Assert.Equal(RunState.QualityGateFailed, third.Run.State);
        Assert.Equal("quality gate failed: expectation row_count_change ≤ 20 % not met: measured -39.13 % (700 vs 1,150)", third.Error);

        // The failed run committed nothing, so the next one reads c.csv again, and compares with the last run that
        // succeeded, not with the failed one.
        WriteInput("d.csv", 4000, 300, Newest);
        var fourth = await RunAsync("  - row_count_change: { max_percent: 100 }");
        Assert.Equal(RunState.Succeeded, fourth.Run.State);
        Assert.Equal("-13.04 % (1,000 vs 1,150)", Assert.Single(fourth.Expectations).Measured);
    }

    [Fact]
    public async Task Statistics_survive_a_resume_so_the_expectations_measure_the_whole_run()
    {
        WriteInput("b.csv", Rows, Rows, Newest);
        var expect = """
              - row_count: { min: 2000, max: 2000 }
              - null_ratio: { column: delay, max: 0.1 }
              - distinct_count: { column: id, min: 2000, max: 2000 }
              - distinct_count: { column: origin, max: 3 }
            """;
        var tripwire = new TripwireOptions(afterBatches: 6, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var small = new RunnerOptions { BatchSize = 100 };
        var failed = await new PipelineRunner(Store, small).RunAsync(WithTripwire(expect, tripwire));
        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.Empty(failed.Expectations); // no final checkpoint: nothing evaluated
        Assert.Empty(await Store.GetExpectationResultsAsync(failed.Run.Id));
        var stoppedAt = await Store.GetLatestCheckpointAsync(failed.Run.Id);
        Assert.InRange(stoppedAt!.RecordsCommitted, 1, 2 * Rows - 1);
        Assert.True(stoppedAt.OperatorState.ContainsKey("sink")); // the sink's statistics

        tripwire.Armed = false;
        var run = await new PipelineRunner(Store, small).StartAsync(WithTripwire(expect, tripwire));
        var outcome = await run.Completion;

        Assert.NotNull(run.ResumedFrom);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(["2,000", "0.1 (200 of 2,000)", "2,000", "3"], outcome.Expectations.Select(e => e.Measured));
        Assert.All(outcome.Expectations, e => Assert.True(e.Passed));
        Assert.Equal(2 * Rows, JsonlOutput.Ids(Dir.File("out")).Distinct().Count());
    }

    [Fact]
    public async Task Without_expectations_sinks_save_no_state()
    {
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml("  []"))) with { BaseDirectory = Dir.Path };
        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Empty((await Store.GetLatestCheckpointAsync(outcome.Run.Id))!.OperatorState);
        Assert.Empty(await Store.GetExpectationResultsAsync(outcome.Run.Id));
    }

    [Fact]
    public void Bad_values_are_reported_where_they_are_written()
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Dir.Write("p.yaml", Yaml("""
              - row_count: { min: 10, max: 5 }
              - null_ratio: { column: delay, max: 1.5 }
              - freshness: { column: at, max_age: soon }
              - distinct_count: { column: origin }
              - row_count: { min: 1 }
                null_ratio: { column: delay, max: 0.1 }
              - on_fail: warn
              - row_count_change: { max_percent: -1 }
            """))));

        var errors = e.Diagnostics.Select(d => (d.Location!.Line, d.Message)).ToList();
        Assert.Contains(errors, d => d.Line == 13 && d.Message.Contains("row_count.min (10) is more than its max (5)"));
        Assert.Contains(errors, d => d.Line == 14 && d.Message.Contains("null_ratio.max must be between 0 and 1"));
        Assert.Contains(errors, d => d.Line == 15 && d.Message.Contains("max_age must be a positive duration"));
        Assert.Contains(errors, d => d.Line == 16 && d.Message.Contains("distinct_count needs `min`, `max` or both"));
        Assert.Contains(errors, d => d.Line == 17 && d.Message.Contains("found row_count and null_ratio"));
        Assert.Contains(errors, d => d.Line == 19 && d.Message.Contains("found none"));
        Assert.Contains(errors, d => d.Line == 20 && d.Message.Contains("row_count_change.max_percent must be 0 or more"));
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void A_column_that_does_not_reach_a_sink_or_has_the_wrong_type_is_refused_when_the_pipeline_is_built()
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(Dir.Write("p.yaml", Yaml("""
              - null_ratio: { column: delai, max: 0.1 }
              - freshness: { column: origin, max_age: 1h }
            """))));

        Assert.Equal(2, e.Diagnostics.Count);
        Assert.Equal(13, e.Diagnostics[0].Location!.Line);
        Assert.Equal("expectation null_ratio(delai) ≤ 0.1: sink 'sink' receives no column 'delai'; its columns are id, delay, origin, day, at",
            e.Diagnostics[0].Message);
        Assert.Equal(14, e.Diagnostics[1].Location!.Line);
        Assert.Equal("expectation freshness(origin) ≤ 1h old: column 'origin' of sink 'sink' is string; freshness needs a date or timestamp column",
            e.Diagnostics[1].Message);
    }

    [Fact]
    public void Freshness_is_measured_against_the_clock_the_gate_is_given()
    {
        var schema = new Schema([new Field("at", new TimestampType(TimeUnit.Microsecond, "UTC"), true)], null);
        var newest = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var now = newest.AddHours(25);
        var gate = new ExpectationGate([new FreshnessExpectation("at", TimeSpan.FromHours(24))], [("out", schema)], () => now);
        var values = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"))
            .Append(newest.AddDays(-1)).AppendNull().Append(newest).Build();
        gate.Statistics["out"].Observe(new RecordBatch(schema, [values], 3));

        string? failure = gate.Evaluate(new RunTotals(3, 3, 0, 0));

        Assert.Equal("quality gate failed: expectation freshness(at) ≤ 24h old not met: measured newest 2025-06-01 12:00:00Z, 25h old", failure);
        now = newest.AddHours(23);
        Assert.Null(gate.Evaluate(new RunTotals(3, 3, 0, 0)));
        Assert.Equal("newest 2025-06-01 12:00:00Z, 23h old", Assert.Single(gate.Results).Measured);
    }

    [Fact]
    public void Statistics_saved_and_restored_count_on_from_where_they_were()
    {
        var schema = new Schema([new Field("s", StringType.Default, true), new Field("d", DoubleType.Default, true)], null);
        IReadOnlyList<Expectation> expectations = [new DistinctCountExpectation("s", 1, null), new DistinctCountExpectation("d", 1, null)];
        var before = new ColumnStatistics(schema, expectations);
        before.Observe(Batch(["a", "b", null], [0.0, 1.5, double.NaN]));
        var after = new ColumnStatistics(schema, expectations);
        after.Restore(before.Save());
        after.Observe(Batch(["b", "c", null], [-0.0, 1.5, double.NaN]));

        Assert.Equal((6L, 2L, 3L), (after.Rows, after.Nulls("s"), after.Distinct("s").Count));
        Assert.Equal(3L, after.Distinct("d").Count); // -0 is 0, and every NaN is one value

        RecordBatch Batch(string?[] s, double[] d)
        {
            var strings = new StringArray.Builder();
            foreach (var value in s)
            {
                if (value is null)
                {
                    strings.AppendNull();
                }
                else
                {
                    strings.Append(value);
                }
            }
            return new RecordBatch(schema, [strings.Build(), new DoubleArray.Builder().AppendRange(d).Build()], s.Length);
        }
    }

    private PipelineDefinition WithTripwire(string expect, TripwireOptions tripwire)
    {
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml(expect, checkpoint: "{ every_records: 300, every_seconds: 0 }")))
            with { BaseDirectory = Dir.Path };
        var stages = pipeline.Stages.Select(s => s.Name == "sink" ? s with { Inputs = ["tripwire"] } : s).ToList();
        stages.Insert(stages.Count - 1, new StageDefinition("tripwire", tripwire, ["contract"]));
        return pipeline with { Stages = stages };
    }

    private async Task<bool> HasCheckpointAsync()
    {
        var latest = (await Store.ListRunsAsync("gates", 1)).FirstOrDefault();
        return latest is not null && await Store.GetLatestCheckpointAsync(latest.Id) is not null;
    }
}
