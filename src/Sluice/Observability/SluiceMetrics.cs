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
/// stages stay observed after its run ends, with their final counts, until its next run in this process replaces
/// them: a scrape just after a run still sees how it ended. Checkpoint durations are recorded as they happen.
/// </remarks>
internal static class SluiceMetrics
{
    public const string MeterName = "Sluice";

    private static readonly Meter Meter = new(MeterName, typeof(SluiceMetrics).Assembly.GetName().Version?.ToString(3));

    /// <summary>The newest run's stages of every pipeline that ran in this process, by pipeline name.</summary>
    private static readonly ConcurrentDictionary<string, ObservedStage[]> Pipelines = new(StringComparer.Ordinal);

    private static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>("sluice.checkpoint.duration", "s",
        "Time to commit one checkpoint: building it, the state store's transaction and the sinks' publishing.");

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
    }

    /// <summary>Observes <paramref name="stages"/> as the pipeline's, replacing its earlier run's.</summary>
    public static void Track(string pipeline, IEnumerable<StageCounters> stages) =>
        Pipelines[pipeline] = [.. stages.Select(s => new ObservedStage(s, Tags(pipeline, s)))];

    private static KeyValuePair<string, object?>[] Tags(string pipeline, StageCounters stage) =>
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

    private static void Counter(string name, string description, Func<StageCounters, long> read, string unit = "{record}") =>
        Meter.CreateObservableCounter(name, () => Measure(read), unit, description);

    private static IEnumerable<Measurement<T>> Measure<T>(Func<StageCounters, T> read) where T : struct =>
        Pipelines.Values.SelectMany(stages => stages).Select(s => new Measurement<T>(read(s.Counters), s.Tags));

    private sealed record ObservedStage(StageCounters Counters, KeyValuePair<string, object?>[] Tags);
}
