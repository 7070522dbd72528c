using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Execution;

namespace Sluice.Observability;

/// <summary>
/// The <c>Sluice</c> meter (System.Diagnostics.Metrics): what OpenTelemetry, <c>dotnet-counters</c> or any
/// MeterListener sees of the runs in this process. Names, units and tags are listed in docs/metrics.md.
/// </summary>
/// <remarks>
/// The record counts are observable instruments read from the same <see cref="StageCounters"/> the run summary is
/// made of, so a scrape never disagrees with the summary and the hot path records nothing twice. A pipeline's
/// stages stay observed after its run ends, with their final counts, for <see cref="KeptAfterEnd"/> or until its next
/// run in this process replaces them: a scrape just after a run still sees how it ended, and a process that runs
/// many pipelines over months (a flow's partitions each have their own) does not keep them all. Checkpoint
/// and batch durations are recorded as they happen; a source's lag is read from the source, while its run runs.
/// </remarks>
internal static class SluiceMetrics
{
    public const string MeterName = "Sluice";

    private static readonly Meter Meter = new(MeterName, typeof(SluiceMetrics).Assembly.GetName().Version?.ToString(3));

    /// <summary>How long an ended run's final counts stay observed: many scrape intervals.</summary>
    public static readonly TimeSpan KeptAfterEnd = TimeSpan.FromMinutes(15);

    /// <summary>The newest run's stages of every pipeline that ran in this process, by pipeline name.</summary>
    private static readonly ConcurrentDictionary<string, ObservedRun> Pipelines = new(StringComparer.Ordinal);

    /// <summary>Bucket bounds in seconds, from a tenth of a millisecond (a filter over a small batch) to 30 s (a
    /// checkpoint publishing to a slow store); without them an exporter's defaults are milliseconds' (0 to 10000).</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram("sluice.checkpoint.duration", "s",
        "Time to commit one checkpoint: building it, the state store's transaction and the sinks' publishing.", tags: null, Seconds);

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram("sluice.stage.batch.duration", "s",
        "Time a stage spent on one batch: a source reading it, a transform applying to it, a sink writing it.", tags: null, Seconds);

    static SluiceMetrics()
    {
        Counter("sluice.records.in", "Records a stage took in.", c => c.In);
        Counter("sluice.records.out", "Records a stage passed on (a sink: wrote).", c => c.Out);
        Counter("sluice.records.filtered", "Records a stage dropped on purpose (a filter, a dedupe).", c => c.Filtered);
        Counter("sluice.records.dead_lettered", "Records a stage sent to the dead-letter queue.", c => c.DeadLettered);
        Counter("sluice.stage.retries", "Attempts a stage made again after a transient failure.", c => c.Retries, "{retry}");
        Counter("sluice.stage.timeouts", "Attempts of a stage that ran past their timeout.", c => c.Timeouts, "{timeout}");
        Meter.CreateObservableCounter("sluice.stage.busy", () => Measure(c => c.Busy.TotalSeconds), "s",
            "Time a stage spent working on batches (not waiting for input or for room downstream).");
        Meter.CreateObservableGauge("sluice.stage.circuit_open", () => Measure(c => c.CircuitOpen ? 1 : 0), "{circuit}",
            "1 while a stage's circuit breaker is open (calls refused), else 0.");
        Meter.CreateObservableGauge("sluice.source.lag", MeasureLag, "{record}",
            "Records in a source's input after the last one it read, for sources that know it (a stream consumer's pending count).");
    }

    /// <summary>Observes <paramref name="stages"/> as the pipeline's, replacing its earlier run's; a source stage
    /// that is an <see cref="ILaggingSource"/> also reports its lag while the run runs.</summary>
    public static void Track(string pipeline, IEnumerable<(StageCounters Counters, ISource? Source)> stages) =>
        Pipelines[pipeline] = new ObservedRun([.. stages.Select(s => new ObservedStage(s.Counters, Tags(pipeline, s.Counters), s.Source as ILaggingSource))]);

    /// <summary>The pipeline's run ended: its counts are final, and go after <see cref="KeptAfterEnd"/>.</summary>
    public static void Ended(string pipeline)
    {
        if (Pipelines.TryGetValue(pipeline, out var run))
        {
            run.EndedAt = Environment.TickCount64;
        }
    }

    /// <summary>A stage's tags, made once per run: <see cref="BatchDone"/> then allocates nothing.</summary>
    public static KeyValuePair<string, object?>[] Tags(string pipeline, StageCounters stage) =>
    [
        new("sluice.pipeline", pipeline),
        new("sluice.stage", stage.Stage),
        new("sluice.stage.kind", stage.Kind.ToString().ToLowerInvariant()),
    ];

    public static void CheckpointCommitted(string pipeline, TimeSpan duration)
    {
        if (CheckpointDuration.Enabled)
        {
            CheckpointDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("sluice.pipeline", pipeline));
        }
    }

    /// <summary>A stage finished a batch. <see cref="Instrument.Enabled"/> is false until a listener (OpenTelemetry,
    /// dotnet-counters) subscribes, so without one a batch costs one field read here.</summary>
    public static void BatchDone(KeyValuePair<string, object?>[] stageTags, TimeSpan elapsed)
    {
        if (BatchDuration.Enabled)
        {
            BatchDuration.Record(elapsed.TotalSeconds, stageTags);
        }
    }

    private static void Counter(string name, string description, Func<StageCounters, long> read, string unit = "{record}") =>
        Meter.CreateObservableCounter(name, () => Measure(read), unit, description);

    private static IEnumerable<Measurement<T>> Measure<T>(Func<StageCounters, T> read) where T : struct
    {
        foreach (var stage in Observed().SelectMany(run => run.Stages))
        {
            yield return new Measurement<T>(read(stage.Counters), stage.Tags);
        }
    }

    /// <summary>A lag says where a reading source is: an ended run's would go stale, so only running runs report it.</summary>
    private static IEnumerable<Measurement<long>> MeasureLag()
    {
        foreach (var run in Observed().Where(r => r.EndedAt == 0))
        {
            foreach (var stage in run.Stages)
            {
                if (stage.Lag?.RecordsBehind is { } behind)
                {
                    yield return new Measurement<long>(behind, stage.Tags);
                }
            }
        }
    }

    /// <summary>The runs still observed; forgets those that ended more than <see cref="KeptAfterEnd"/> ago.</summary>
    private static IEnumerable<ObservedRun> Observed()
    {
        long now = Environment.TickCount64;
        foreach (var (pipeline, run) in Pipelines)
        {
            if (run.EndedAt is > 0 and var ended && now - ended > KeptAfterEnd.TotalMilliseconds)
            {
                Pipelines.TryRemove(new KeyValuePair<string, ObservedRun>(pipeline, run)); // not a newer run of it
                continue;
            }
            yield return run;
        }
    }

    private sealed record ObservedStage(StageCounters Counters, KeyValuePair<string, object?>[] Tags, ILaggingSource? Lag);

    private sealed class ObservedRun(ObservedStage[] stages)
    {
        public ObservedStage[] Stages => stages;

        private long _endedAt;

        /// <summary>When the run ended (<see cref="Environment.TickCount64"/>); 0 while it runs. Set by the run's
        /// thread, read by a collecting listener's.</summary>
        public long EndedAt
        {
            get => Volatile.Read(ref _endedAt);
            set => Volatile.Write(ref _endedAt, value);
        }
    }
}
