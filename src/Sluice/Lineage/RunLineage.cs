using Sluice.Execution;
using Sluice.Lineage.OpenLineage;
using Sluice.State;

namespace Sluice.Lineage;

/// <summary>
/// A run's lineage: recorded in the state store as the run starts, and sent as OpenLineage events when
/// <see cref="RunnerOptions.Lineage"/> is set — START at once but in the background (a slow endpoint does not hold up
/// the run), its end event when the run ends. Nothing here fails the run: what goes wrong becomes a warning.
/// </summary>
internal sealed class RunLineage(RunRecord run, PipelineDefinition pipeline, IReadOnlyList<StageNode> nodes, IStateStore store, LineageOptions? options)
{
    private readonly LineageEmitter? _emitter = options is null ? null : new LineageEmitter(options);
    private readonly List<string> _warnings = [];
    private PipelineLineage? _lineage;
    private (string RunId, string Job)? _parent;
    private Task<string?> _started = Task.FromResult<string?>(null);

    /// <summary>Records the lineage and starts sending the START event.</summary>
    public async Task StartAsync()
    {
        try
        {
            _lineage = LineageGraph.Of(pipeline.Name, run.Id, DateTimeOffset.UtcNow, nodes);
            // A replay runs only the stages its letters need: the pipeline's lineage stays what its last run recorded.
            if (run.Kind == RunKinds.Pipeline)
            {
                await store.SaveLineageAsync(_lineage, CancellationToken.None);
            }
            if (_emitter is not null && run.ParentRunId is { } parent && await store.FindRunAsync(parent, CancellationToken.None) is { } flowRun)
            {
                _parent = (flowRun.Id, flowRun.Pipeline);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _warnings.Add($"lineage not recorded: {e.Message.ReplaceLineEndings(" ")}");
        }
        if (_emitter is not null)
        {
            _started = _emitter.SendAsync(Event("START", null));
        }
    }

    /// <summary>Sends the end event for <paramref name="state"/> (after START has gone or been given up) and returns
    /// the warnings, as notes on the run.</summary>
    public async Task<IReadOnlyList<RunNote>> EndAsync(RunState state, string? error)
    {
        if (_emitter is not null)
        {
            if (await _started is { } startProblem)
            {
                _warnings.Add(startProblem);
            }
            if (await _emitter.SendAsync(Event(RunEvents.EndType(state), error)) is { } endProblem)
            {
                _warnings.Add(endProblem);
            }
        }
        return _warnings.Select(w => new RunNote("lineage", Warning: true, w)).ToList();
    }

    private System.Text.Json.Nodes.JsonObject Event(string type, string? error) =>
        RunEvents.Build(type, DateTimeOffset.UtcNow, _emitter!.Options.Namespace, run.Id, _lineage, pipeline.Name, _parent, error);
}
