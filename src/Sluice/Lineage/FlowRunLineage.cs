using Sluice.Lineage.OpenLineage;
using Sluice.State;

namespace Sluice.Lineage;

/// <summary>
/// A flow run as an OpenLineage job of its own (named after the flow, no datasets: its pipeline tasks' runs carry
/// those, with a <c>parent</c> facet naming this run): START as it starts, in the background, and its end event as it
/// ends. What cannot be sent is a warning on the flow run.
/// </summary>
internal sealed class FlowRunLineage
{
    private readonly LineageEmitter? _emitter;
    private readonly string _flow;
    private readonly string _runId;
    private readonly Task<string?> _started = Task.FromResult<string?>(null);

    public FlowRunLineage(LineageOptions? options, string flow, string runId)
    {
        (_flow, _runId) = (flow, runId);
        if (options is not null)
        {
            _emitter = new LineageEmitter(options);
            _started = _emitter.SendAsync(RunEvents.Build("START", DateTimeOffset.UtcNow, options.Namespace, runId, null, flow));
        }
    }

    /// <summary>Sends the end event, after START has gone or been given up, and records what could not be sent.</summary>
    public async Task EndAsync(IStateStore store, RunState state, string? error)
    {
        if (_emitter is null)
        {
            return;
        }
        string?[] problems = [await _started,
            await _emitter.SendAsync(RunEvents.Build(RunEvents.EndType(state), DateTimeOffset.UtcNow, _emitter.Options.Namespace, _runId, null, _flow, error: error))];
        var notes = problems.OfType<string>().Select(p => new RunNote("lineage", Warning: true, p)).ToList();
        if (notes.Count > 0)
        {
            await store.SaveRunNotesAsync(_runId, notes, CancellationToken.None);
        }
    }
}
