using System.Diagnostics.Metrics;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Observability;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Observability;

/// <summary>The Sluice meter as a MeterListener (OpenTelemetry, dotnet-counters) sees it: after a run, every stage's
/// counts equal the run's summary; checkpoints are timed as they commit.</summary>
public class SluiceMetricsTests
{
    /// <summary>Tests run in parallel and every run in the process is observed: each test has its own pipeline name.</summary>
    private static readonly string Name = "metrics-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<RunOutcome> RunAsync(TempDir dir, string name, string rows)
    {
        dir.Write($"data/{Guid.NewGuid():N}.csv", "id\n" + rows); // a new file each run: the earlier ones are consumed
        dir.Write("p.yaml", $$"""
            name: {{name}}
            source: { type: csv, path: data/*.csv }
            contract: { fields: { id: { type: int64 } } }
            transforms:
              - filter: id > 2
            sink: { type: jsonl, path: out }
            """);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        return await new PipelineRunner(store, new RunnerOptions { BatchSize = 2 }).RunAsync(PipelineFile.Load(dir.File("p.yaml")));
    }

    /// <summary>(stage, instrument) → value, for one pipeline, as one collection reads them.</summary>
    private static Dictionary<(string Stage, string Instrument), double> Observe(string pipeline)
    {
        var seen = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SluiceMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? p = null, stage = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "sluice.pipeline") p = (string?)tag.Value;
                if (tag.Key == "sluice.stage") stage = (string?)tag.Value;
            }
            if (p == pipeline && stage is not null)
                lock (seen) seen[(stage, instrument.Name)] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    [Fact]
    public async Task After_a_run_every_stages_counts_equal_its_summary()
    {
        using var dir = new TempDir();

        var outcome = await RunAsync(dir, Name, "1\n2\nx\n3\n4\ny\n5\n");
        var seen = Observe(Name);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(4, outcome.Stages.Count);
        foreach (var stage in outcome.Stages)
        {
            Assert.Equal(stage.In, seen[(stage.Stage, "sluice.records.in")]);
            Assert.Equal(stage.Out, seen[(stage.Stage, "sluice.records.out")]);
            Assert.Equal(stage.Filtered, seen[(stage.Stage, "sluice.records.filtered")]);
            Assert.Equal(stage.DeadLettered, seen[(stage.Stage, "sluice.records.dead_lettered")]);
            Assert.Equal(0, seen[(stage.Stage, "sluice.stage.circuit_open")]);
        }
        // Not a tautology of zeros: the run dead-lettered, filtered and wrote.
        Assert.Equal((2, 2, 3), ((long)seen[("contract", "sluice.records.dead_lettered")], (long)seen[("filter", "sluice.records.filtered")],
            (long)seen[("sink", "sluice.records.out")]));
    }

    [Fact]
    public async Task A_pipelines_next_run_replaces_its_counts_and_checkpoints_are_timed_as_they_commit()
    {
        using var dir = new TempDir();
        string name = Name + "-again";
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SluiceMetrics.MeterName && instrument.Name == "sluice.checkpoint.duration")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "sluice.pipeline" && (string?)tag.Value == name)
                    lock (durations) durations.Add(value);
        });
        listener.Start();

        await RunAsync(dir, name, "1\n2\n3\n4\n5\n");
        var second = await RunAsync(dir, name, "7\n8\n");
        var seen = Observe(name);

        Assert.Equal(2, second.Run.RecordsRead);
        Assert.Equal(2, seen[("source", "sluice.records.out")]);
        Assert.True(durations.Count >= 2, $"{durations.Count} checkpoint durations recorded for two runs");
        Assert.All(durations, d => Assert.InRange(d, 0, 60));
    }

    [Fact]
    public async Task Every_stage_times_its_batches_when_a_listener_enables_the_histogram()
    {
        using var dir = new TempDir();
        string name = Name + "-batches";
        var timed = new List<(string Stage, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SluiceMetrics.MeterName && instrument.Name == "sluice.stage.batch.duration")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? pipeline = null, stage = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "sluice.pipeline") pipeline = (string?)tag.Value;
                if (tag.Key == "sluice.stage") stage = (string?)tag.Value;
            }
            if (pipeline == name)
                lock (timed) timed.Add((stage!, value));
        });
        listener.Start();

        var outcome = await RunAsync(dir, name, "1\n2\nx\n3\n4\ny\n5\n");

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(["contract", "filter", "sink", "source"], timed.Select(t => t.Stage).Distinct().Order());
        // Batches of at most 2 rows: the source reads its 7 rows in 4 or more, the sink gets its 3 rows in 1 to 3.
        Assert.InRange(timed.Count(t => t.Stage == "source"), 4, 7);
        Assert.InRange(timed.Count(t => t.Stage == "sink"), 1, 3);
        Assert.All(timed, t => Assert.InRange(t.Seconds, 0, 60));
    }
}
