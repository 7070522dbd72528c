using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Dashboard.Data;
using Sluice.Dashboard.Pages;
using Sluice.Dashboard.Security;

namespace Sluice.Dashboard.Api;

/// <summary>The JSON API under <c>/api</c>: everything the pages show, and replay and purge. Described by
/// <see cref="OpenApiDocument"/>, served at <c>/api/openapi.json</c>.</summary>
internal static class ApiEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder api, DashboardApp app)
    {
        var read = new DashboardAccess(Api: true);
        var write = new DashboardAccess(Write: true, Api: true);
        api.MapRead("/runs", Handler.Of(http => RunsAsync(http, app))).WithMetadata(read);
        api.MapRead("/runs/{id}", (HttpContext http, string id) => RunAsync(http, app, id)).WithMetadata(read);
        api.MapRead("/flow-runs/{id}", (HttpContext http, string id) => FlowRunAsync(http, app, id)).WithMetadata(read);
        api.MapRead("/dead-letters", Handler.Of(http => LettersAsync(http, app))).WithMetadata(read);
        api.MapRead("/dead-letters/{id:long}", (HttpContext http, long id) => LetterAsync(http, app, id)).WithMetadata(read);
        api.MapPost("/dead-letters/replay", Handler.Of(http => ReplayAsync(http, app))).WithMetadata(write);
        api.MapPost("/dead-letters/purge", Handler.Of(http => PurgeAsync(http, app))).WithMetadata(write);
        api.MapRead("/charts", Handler.Of(http => ChartAsync(http, app))).WithMetadata(read);
        api.MapRead("/lineage", Handler.Of(http => LineageAsync(http, app))).WithMetadata(read);
        api.MapRead("/alerts", Handler.Of(http => AlertsAsync(http, app))).WithMetadata(read);
        api.MapRead("/openapi.json", () => Results.Text(OpenApiDocument.Json(app.Prefix), "application/json")).WithMetadata(read);
        // As for the pages: an unknown route answers JSON through the filter, with its headers, not a bare 404/405.
        api.Map("/{**rest}", Handler.Of(http => Error($"no API route {http.Request.Method} {http.Request.Path}", StatusCodes.Status404NotFound)))
            .WithMetadata(read);
    }

    private static IResult Ok<T>(T value) => Results.Json(value, Json);

    private static IResult Error(string message, int status) => Results.Json(new ErrorJson(message), Json, statusCode: status);

    private static IResult NoState(DashboardApp app) => Error($"no state file at {app.State.Path} yet", StatusCodes.Status404NotFound);

    private static async Task<IResult> RunsAsync(HttpContext http, DashboardApp app)
    {
        if (!RunsPage.TryFilter(http.Request.Query, out var filter, out string? problem))
            return Error(problem!, StatusCodes.Status400BadRequest);
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        var page = await RunQueries.ListAsync(store, filter, http.RequestAborted);
        return Ok(new RunListJson([.. page.Runs.Select(r => new RunListItemJson(RunJson.Of(r.Run), r.Run.State == RunState.Running ? r.LiveRead : null))], page.Next));
    }

    private static async Task<IResult> RunAsync(HttpContext http, DashboardApp app, string id)
    {
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        return await RunPage.LoadAsync(store, id, http.RequestAborted) is { } detail
            ? Ok(RunDetailJson.Of(detail))
            : Error($"no run has the id '{id}', and no single run starts with it", StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> FlowRunAsync(HttpContext http, DashboardApp app, string id)
    {
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        return await FlowRunPage.LoadAsync(store, id, http.RequestAborted) is { } detail
            ? Ok(FlowRunJson.Of(detail))
            : Error($"no flow run has the id '{id}', and no single flow run starts with it", StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> LettersAsync(HttpContext http, DashboardApp app)
    {
        LetterFilter filter;
        long? before = null;
        int limit = DeadLettersPage.PageSize;
        try
        {
            filter = LetterFilter.From(http.Request.Query);
            if (http.Request.Query["before"].FirstOrDefault() is { Length: > 0 } b)
                before = long.TryParse(b, out long id) && id > 0 ? id : throw new FormatException($"before takes a dead letter id, not '{b}'");
            if (http.Request.Query["limit"].FirstOrDefault() is { Length: > 0 } l)
                limit = int.TryParse(l, out int n) && n is >= 1 and <= 1000 ? n : throw new FormatException($"limit takes a number from 1 to 1000, not '{l}'");
        }
        catch (FormatException e)
        {
            return Error(e.Message, StatusCodes.Status400BadRequest);
        }
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        var page = await LetterQueries.ListAsync(store, filter.ToQuery(), before, limit, http.RequestAborted);
        return Ok(new LetterListJson([.. page.Letters.Select(LetterJson.Of)], page.Next, page.Matching, page.MatchingCapped));
    }

    private static async Task<IResult> LetterAsync(HttpContext http, DashboardApp app, long id)
    {
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        return await store.GetDeadLetterAsync(id, http.RequestAborted) is { } letter
            ? Ok(LetterDetailJson.Of(letter))
            : Error($"no dead letter has the id {id}", StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PurgeAsync(HttpContext http, DashboardApp app)
    {
        var (store, selection, refusal) = await SelectionAsync(http, app);
        if (refusal is not null)
            return refusal;
        return Ok(new PurgeResultJson(await LetterActions.PurgeAsync(store!, selection!, http.RequestAborted)));
    }

    private static async Task<IResult> ReplayAsync(HttpContext http, DashboardApp app)
    {
        var (store, selection, refusal) = await SelectionAsync(http, app);
        if (refusal is not null)
            return refusal;
        var result = await LetterActions.ReplayAsync(http, app, store!, selection!);
        if (result.Outcome is not { } outcome)
            return Error(result.Problem!, result.StatusCode);
        return Ok(new ReplayResultJson(result.Pipeline!, outcome.Selected, outcome.Succeeded, [.. outcome.Runs.Select(r => new ReplayRunJson(
            r.Run.Id, r.Run.State.Word(), r.Run.RecordsWritten, r.Run.DeadLettered, r.Run.Filtered, Redact.Secrets(r.Error)))]));
    }

    private static async Task<IResult> ChartAsync(HttpContext http, DashboardApp app)
    {
        if (http.Request.Query["pipeline"].FirstOrDefault() is not { Length: > 0 } pipeline)
            return Error("pipeline is required: the pipeline or flow whose runs to chart", StatusCodes.Status400BadRequest);
        if (!ChartsPage.TryCount(http.Request.Query["n"].FirstOrDefault(), out int n, out string? problem))
            return Error(problem!, StatusCodes.Status400BadRequest);
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        var runs = await RunQueries.RecentAsync(store, pipeline, n, http.RequestAborted);
        return Ok(new ChartJson(pipeline, [.. runs.Select(r => new ChartRunJson(r.Id, r.State.Word(), r.StartedAt, r.Duration?.TotalSeconds,
            r.RecordsRead, r.DeadLettered, ChartsPage.DeadRatio(r)))]));
    }

    private static async Task<IResult> LineageAsync(HttpContext http, DashboardApp app)
    {
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        var pipelines = await store.ListLineageAsync(http.RequestAborted);
        var flows = await store.ListFlowPipelinesAsync(http.RequestAborted);
        return Ok(new LineageJson(pipelines, flows));
    }

    private static async Task<IResult> AlertsAsync(HttpContext http, DashboardApp app)
    {
        if (!AlertsPage.TryQuery(http.Request.Query, out var query, out string? problem))
            return Error(problem!, StatusCodes.Status400BadRequest);
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return NoState(app);
        var alerts = await store.ListAlertsAsync(query with { Limit = query.Limit + 1 }, http.RequestAborted);
        long? next = alerts.Count > query.Limit ? alerts[query.Limit - 1].Id : null;
        return Ok(new AlertListJson([.. alerts.Take(query.Limit).Select(a => new AlertJson(a.Id, a.SubjectKind.ToString().ToLowerInvariant(), a.Subject,
            a.Kind.ToString().ToLowerInvariant(), a.Key, a.Expected, a.DueAt, a.ObservedAt, a.DetectedAt, a.Detail, AlertsPage.Delivery(a), a.SentAt,
            a.Attempts, Redact.Secrets(a.LastError), a.NextAttemptAt))], next));
    }

    private static async Task<(SqliteStateStore? Store, Selection? Selection, IResult? Refusal)> SelectionAsync(HttpContext http, DashboardApp app)
    {
        SelectionJson? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<SelectionJson>(Json, http.RequestAborted);
        }
        catch (JsonException e)
        {
            // Not e.Message: it names .NET types (Sluice.Dashboard.Api.SelectionJson), which tell the caller nothing.
            return (null, null, Error($"the body is not a selection (see {e.Path ?? "$"}): send {{\"ids\": [1, 2]}} or filters " +
                $"such as {{\"pipeline\": \"orders\", \"reason\": \"contract\"}}; keys: ids, {string.Join(", ", LetterFilter.Names)}",
                StatusCodes.Status400BadRequest));
        }
        catch (InvalidOperationException e)
        {
            // ReadFromJsonAsync's refusal of a charset it does not know (application/json; charset=nope): the
            // client's mistake, not a 500.
            return (null, null, Error(e.Message, StatusCodes.Status400BadRequest));
        }
        if (body is null)
            return (null, null, Error("the body is empty: send {\"ids\": [...]} or filters such as {\"pipeline\": \"name\"}", StatusCodes.Status400BadRequest));
        if (await app.State.StoreAsync(http.RequestAborted) is not { } store)
            return (null, null, NoState(app));
        string?[] filters = [body.Pipeline, body.Run, body.Reason, body.Stage, body.Field, body.Since, body.Until];
        IReadOnlyList<string> Values(string name) => name == "id"
            ? [.. (body.Ids ?? []).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : Array.IndexOf(LetterFilter.Names, name) is >= 0 and var i && filters[i] is { } v ? [v] : [];
        try
        {
            return (store, Selection.From(Values, all: body.Ids is null), null);
        }
        catch (FormatException e)
        {
            return (null, null, Error(e.Message, StatusCodes.Status400BadRequest));
        }
    }
}
