using System.Text.Json.Nodes;
using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Flows;

/// <summary>Runs a pipeline task's file in this process on the flow's state store. The pipeline's own resume rules
/// hold: an attempt after a crash goes on from the pipeline run's last checkpoint.</summary>
internal static class PipelineTaskRunner
{
    /// <param name="instance">Set for a mapped instance or a partition: the pipeline's runs are filed under
    /// <c>name[instance]</c>, so that instances neither wait on one another's lease nor resume one another's run.</param>
    /// <param name="started">Told the pipeline run's id as soon as it is recorded.</param>
    public static async Task<JsonNode> RunAsync(PipelineTaskAction action, string baseDirectory, string? instance, SqliteStateStore store,
        FlowRunnerOptions options, string flowRunId, Func<string, Task> started, CancellationToken cancellationToken)
    {
        string path = Path.GetFullPath(Path.Combine(baseDirectory, action.Path));
        if (!File.Exists(path))
        {
            throw new TaskFailedException($"pipeline file {path} does not exist");
        }
        if (action.MemoryLimit is not null)
        {
            return await PipelineProcessRunner.RunAsync(action, path, instance, store.Path, options, flowRunId, cancellationToken);
        }
        PipelineDefinition pipeline;
        try
        {
            pipeline = PipelineFile.Parse(path, options.Catalogs?.Invoke(path) ?? ComponentCatalog.BuiltIn, action.Parameters);
        }
        catch (PipelineException e)
        {
            throw new TaskFailedException(OneLine(e.Message));
        }
        if (instance is not null)
        {
            pipeline = pipeline with { Name = $"{pipeline.Name}[{instance}]" };
        }
        var runner = new PipelineRunner(store, options.Pipelines with { ParentRunId = flowRunId });
        PipelineRun run;
        try
        {
            run = await runner.StartAsync(pipeline, fresh: false, cancellationToken);
        }
        catch (PipelineException e)
        {
            throw new TaskFailedException(OneLine(e.Message));
        }
        catch (LeaseHeldException e)
        {
            throw new TaskFailedException($"pipeline '{pipeline.Name}' is being run by another process ({e.Holder})");
        }
        await started(run.Id);
        var outcome = await run.Completion;
        cancellationToken.ThrowIfCancellationRequested();
        var result = new JsonObject
        {
            ["run_id"] = run.Id,
            ["pipeline"] = pipeline.Name,
            ["state"] = outcome.Run.State.ToString().ToLowerInvariant(),
            ["records_read"] = outcome.Run.RecordsRead,
            ["records_written"] = outcome.Run.RecordsWritten,
            ["dead_lettered"] = outcome.Run.DeadLettered,
            ["published"] = new JsonArray([.. outcome.Published.Select(p => (JsonNode?)JsonValue.Create(p))]),
        };
        if (outcome.Run.State != RunState.Succeeded)
        {
            throw new TaskFailedException($"pipeline run {run.Id} {result["state"]}: {outcome.Error}", result);
        }
        return result;
    }

    private static string OneLine(string message) => string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
