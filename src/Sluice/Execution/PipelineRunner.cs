using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>Runs pipelines against a state store.</summary>
public sealed class PipelineRunner
{
    private readonly IStateStore _store;
    private readonly RunnerOptions _options;

    public PipelineRunner(IStateStore store, RunnerOptions? options = null)
    {
        _store = store;
        _options = options ?? new RunnerOptions();
    }

    /// <summary>Builds the pipeline (throwing <see cref="PipelineException"/> if it is invalid), records a new run
    /// and starts it. Cancelling the token stops the run cleanly and marks it cancelled.</summary>
    public Task<PipelineRun> StartAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException($"{_store}{_options}{pipeline}{cancellationToken}");
}
