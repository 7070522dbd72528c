using System.Diagnostics;
using Sluice.Execution;
using Sluice.State;

namespace Sluice.Observability;

/// <summary>
/// The <c>Sluice</c> ActivitySource: a span for each run, with a child span for each stage (from its start to the
/// end of its input) and for each checkpoint commit, so a trace shows where a run's time went. OpenTelemetry reads it
/// with <c>.AddSource("Sluice")</c>. Nothing is allocated when nobody listens. Names and tags: docs/metrics.md.
/// </summary>
internal static class SluiceTracing
{
    public const string SourceName = "Sluice";

    private static readonly ActivitySource Source = new(SourceName, typeof(SluiceTracing).Assembly.GetName().Version?.ToString(3));

    /// <summary>The run's span; its stages' and checkpoints' spans start inside it, as children.</summary>
    public static Activity? StartRun(RunRecord run, bool resumed)
    {
        var activity = Source.StartActivity("sluice.run");
        if (activity is not null)
        {
            activity.DisplayName = $"run {run.Pipeline}";
            activity.SetTag("sluice.pipeline", run.Pipeline).SetTag("sluice.run_id", run.Id).SetTag("sluice.run.resumed", resumed);
        }
        return activity;
    }

    public static void EndRun(Activity? activity, RunState state, string? error, long read, long written, long deadLettered)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("sluice.run.state", state.Word()).SetTag("sluice.records.read", read)
            .SetTag("sluice.records.written", written).SetTag("sluice.records.dead_lettered", deadLettered);
        if (state is RunState.Failed or RunState.QualityGateFailed)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    public static Activity? StartStage(string pipeline, StageCounters stage)
    {
        var activity = Source.StartActivity("sluice.stage");
        if (activity is not null)
        {
            activity.DisplayName = $"stage {stage.Stage}";
            activity.SetTag("sluice.pipeline", pipeline).SetTag("sluice.stage", stage.Stage)
                .SetTag("sluice.stage.kind", stage.Kind.ToString().ToLowerInvariant());
        }
        return activity;
    }

    public static void EndStage(Activity? activity, StageCounters stage, Exception? failure)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("sluice.records.in", stage.In).SetTag("sluice.records.out", stage.Out)
            .SetTag("sluice.records.filtered", stage.Filtered).SetTag("sluice.records.dead_lettered", stage.DeadLettered);
        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        }
    }

    public static Activity? StartCheckpoint(string pipeline, long id)
    {
        var activity = Source.StartActivity("sluice.checkpoint");
        if (activity is not null)
        {
            activity.DisplayName = $"checkpoint {id}";
            activity.SetTag("sluice.pipeline", pipeline).SetTag("sluice.checkpoint.id", id);
        }
        return activity;
    }
}
