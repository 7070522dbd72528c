using System.Diagnostics;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Observability;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Observability;

/// <summary>The Sluice ActivitySource as a tracer sees it: a span per run, with its stages' and checkpoints' spans as
/// children, tagged with the run's counts; a run that breaks its quality gate ends in an error status.</summary>
public sealed class SluiceTracingTests : IDisposable
{
    private readonly string _name = "traced-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<Activity> _stopped = [];
    private readonly ActivityListener _listener;

    public SluiceTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SluiceTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("sluice.pipeline") == _name)
                    lock (_stopped) _stopped.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private async Task<RunOutcome> RunAsync(TempDir dir, string extra = "")
    {
        dir.Write("in.csv", "id\n1\n2\nx\n3\n");
        dir.Write("p.yaml", $$"""
            name: {{_name}}
            source: { type: csv, path: in.csv }
            contract: { fields: { id: { type: int64 } } }
            sink: { type: jsonl, path: out }
            {{extra}}
            """);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        return await new PipelineRunner(store).RunAsync(PipelineFile.Load(dir.File("p.yaml")));
    }

    [Fact]
    public async Task A_run_is_one_span_with_a_child_span_per_stage_and_per_checkpoint_tagged_with_its_counts()
    {
        using var dir = new TempDir();

        var outcome = await RunAsync(dir);

        var run = Assert.Single(_stopped, a => a.OperationName == "sluice.run");
        Assert.Equal((outcome.Run.Id, "succeeded", 4L, 3L, 1L), ((string?)run.GetTagItem("sluice.run_id"), (string?)run.GetTagItem("sluice.run.state"),
            (long?)run.GetTagItem("sluice.records.read"), (long?)run.GetTagItem("sluice.records.written"), (long?)run.GetTagItem("sluice.records.dead_lettered")));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        var stages = _stopped.Where(a => a.OperationName == "sluice.stage").ToList();
        Assert.Equal(["contract", "sink", "source"], stages.Select(s => (string)s.GetTagItem("sluice.stage")!).Order());
        Assert.All(stages, s => Assert.Equal(run.SpanId, s.ParentSpanId));
        foreach (var stage in outcome.Stages)
        {
            var span = stages.Single(s => (string?)s.GetTagItem("sluice.stage") == stage.Stage);
            Assert.Equal((stage.In, stage.Out, stage.DeadLettered), ((long)span.GetTagItem("sluice.records.in")!, (long)span.GetTagItem("sluice.records.out")!,
                (long)span.GetTagItem("sluice.records.dead_lettered")!));
        }
        var checkpoints = _stopped.Where(a => a.OperationName == "sluice.checkpoint").ToList();
        Assert.NotEmpty(checkpoints);
        Assert.All(checkpoints, c => Assert.Equal(run.SpanId, c.ParentSpanId));
    }

    [Fact]
    public async Task A_run_that_breaks_its_quality_gate_ends_its_span_in_error_with_the_reason()
    {
        using var dir = new TempDir();

        var outcome = await RunAsync(dir, "dead_letter: { max_count: 0 }");

        var run = Assert.Single(_stopped, a => a.OperationName == "sluice.run");
        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
        Assert.Equal((ActivityStatusCode.Error, "quality-gate-failed"), (run.Status, (string?)run.GetTagItem("sluice.run.state")));
        Assert.Equal(outcome.Error, run.StatusDescription);
    }
}
