using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sluice.Dashboard.Data;

/// <summary>Replay and purge of a <see cref="Selection"/>, for the pages and the API alike.</summary>
internal static class LetterActions
{
    /// <summary>What a replay did, or why it did not start.</summary>
    public sealed record ReplayResult(string? Problem, int StatusCode, string? Pipeline, ReplayOutcome? Outcome);

    public static Task<long> PurgeAsync(SqliteStateStore store, Selection selection, CancellationToken ct) =>
        store.PurgeDeadLettersAsync(selection.Query, ct);

    /// <summary>The one pipeline the selection's letters belong to, or why there is none.</summary>
    public static async Task<(string? Pipeline, string? Problem)> PipelineOfAsync(SqliteStateStore store, Selection selection, CancellationToken ct)
    {
        if (selection.Ids is null)
            return selection.Filter.Pipeline is { } p ? (p, null) : (null, "replay goes through one pipeline's file: filter by pipeline first");
        var pipelines = await LetterQueries.PipelinesOfAsync(store, selection.Query, ct);
        return pipelines.Count switch
        {
            0 => (null, "none of the selected dead letters exists any more"),
            1 => (pipelines[0], null),
            _ => (null, $"the selected letters belong to {pipelines.Count} pipelines ({string.Join(", ", pipelines)}); replay goes through one pipeline's file: select letters of one pipeline"),
        };
    }

    public static string NoFile(string pipeline) =>
        $"replaying needs pipeline '{pipeline}''s file: start the dashboard with --pipeline FILE (or add it to SluiceDashboardOptions.PipelineFiles)";

    /// <summary>Replays the selection through its pipeline's file as it is now. The request waits for the replay
    /// to end; if the client goes away, the replay stops reading letters and drains into a final checkpoint (the
    /// rest stay in the queue), as Ctrl-C does for <c>sluice dlq replay</c>.</summary>
    public static async Task<ReplayResult> ReplayAsync(HttpContext http, DashboardApp app, SqliteStateStore store, Selection selection)
    {
        var ct = http.RequestAborted;
        var (pipeline, problem) = await PipelineOfAsync(store, selection, ct);
        if (pipeline is null)
            return new ReplayResult(problem, StatusCodes.Status400BadRequest, null, null);
        if (app.Pipelines.FileOf(pipeline) is not { } file)
            return new ReplayResult(NoFile(pipeline), StatusCodes.Status409Conflict, pipeline, null);
        PipelineDefinition definition;
        try
        {
            definition = app.Pipelines.Load(file);
        }
        catch (PipelineException e)
        {
            return new ReplayResult($"{file} does not load: {string.Join("; ", e.Diagnostics)}", StatusCodes.Status409Conflict, pipeline, null);
        }
        var stopping = http.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        try
        {
            var outcome = await new PipelineRunner(store).ReplayAsync(definition, selection.Query with { Pipeline = pipeline },
                cancellationToken: stopping, stopReading: ct);
            return new ReplayResult(null, StatusCodes.Status200OK, pipeline, outcome);
        }
        catch (LeaseHeldException)
        {
            return new ReplayResult($"pipeline '{pipeline}' is running now (another process holds its lease): replay when it has ended",
                StatusCodes.Status409Conflict, pipeline, null);
        }
        catch (PipelineException e)
        {
            return new ReplayResult($"{file}: {string.Join("; ", e.Diagnostics)}", StatusCodes.Status409Conflict, pipeline, null);
        }
    }
}
