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
    /// <param name="earlierRunId">The pipeline run an earlier attempt of this instance started, if any.</param>
    /// <param name="folder">Where a memory-limited run's process id is kept while it runs.</param>
    /// <param name="started">Told the pipeline run's id as soon as it is recorded.</param>
    public static async Task<JsonNode> RunAsync(PipelineTaskAction action, string baseDirectory, string? instance, SqliteStateStore store,
        FlowRunnerOptions options, string flowRunId, string? earlierRunId, TaskFolder folder, Func<string, Task> started,
        CancellationToken cancellationToken)
    {
        // The process died after the pipeline run succeeded and before the task was recorded completed: that run is the
        // task's. Another would find its input consumed and report nothing written.
        if (earlierRunId is not null && await store.FindRunAsync(earlierRunId, cancellationToken) is { State: RunState.Succeeded } done)
        {
            var committed = await store.ListCommittedFilesAsync(done.Id, cancellationToken);
            return Result(done, committed.Select(f => f.Path));
        }
        string path = Path.GetFullPath(Path.Combine(baseDirectory, action.Path));
        if (!File.Exists(path))
        {
            throw new TaskFailedException($"pipeline file {path} does not exist");
        }
        if (action.MemoryLimit is not null)
        {
            // Its run id is known once the process ends: recorded then, so that an attempt after a kill just past this
            // point takes that run's result instead of starting another over consumed input.
            var ran = await PipelineProcessRunner.RunAsync(action, path, instance, store.Path, options, flowRunId, folder, cancellationToken);
            await started((string)ran["run_id"]!);
            return ran;
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
        var result = Result(outcome.Run, outcome.Published);
        if (outcome.Run.State != RunState.Succeeded)
        {
            throw new TaskFailedException($"pipeline run {run.Id} {result["state"]}: {outcome.Error}", result);
        }
        return result;
    }

    private static JsonObject Result(RunRecord run, IEnumerable<string> published) => new()
    {
        ["run_id"] = run.Id,
        ["pipeline"] = run.Pipeline,
        ["state"] = run.State.Word(),
        ["records_read"] = run.RecordsRead,
        ["records_written"] = run.RecordsWritten,
        ["dead_lettered"] = run.DeadLettered,
        ["published"] = new JsonArray([.. published.Select(p => (JsonNode?)JsonValue.Create(p))]),
    };

    private static string OneLine(string message) => string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
