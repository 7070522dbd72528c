using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Dashboard.Api;

/// <summary>
/// The API's OpenAPI 3.0 document, written by hand rather than generated: the API is small, its handlers read
/// their query strings themselves (so a generator would see no parameters), and a test checks that every mapped
/// <c>/api</c> route is described here.
/// </summary>
internal static class OpenApiDocument
{
    private static readonly string[] RunFilters = ["pipeline", "state", "kind", "q", "before", "limit"];
    private static readonly string[] LetterFilters = ["pipeline", "run", "reason", "stage", "field", "since", "until", "before", "limit"];

    public static string Json(string prefix)
    {
        var paths = new JsonObject
        {
            ["/runs"] = Get("List runs (pipeline, replay and flow runs), newest first, a page at a time: pass `next` as `before` for the next page. "
                + "state: running, succeeded, quality-gate-failed, failed, cancelled, stopped; kind: pipeline, replay, flow; q: a run id or pipeline name prefix.",
                RunFilters, "RunList"),
            ["/runs/{id}"] = Get("One run (id or unique id prefix): totals, stages with counts and inputs (the graph), checkpoints, expectations, notes, "
                + "the queued dead letters (counted up to 10,000) and the graph as Mermaid text.", ["id"], "RunDetail", pathParameter: true),
            ["/flow-runs/{id}"] = Get("One flow run: its tasks with state, attempts and duration, every state change, and graph: the flow's tasks in "
                + "declaration order, each with kind (pipeline, command, code), mapped and dependsOn (the tasks it waits for; an arrow from each); "
                + "graph is null for a run recorded before Sluice kept it, and graphProblem says why.", ["id"], "FlowRun", pathParameter: true),
            ["/dead-letters"] = Get("List dead letters, newest first, a page at a time (`next` as `before`); `matching` counts up to 10,000 "
                + "(`matchingCapped` when there are more). since/until: ISO 8601, UTC unless an offset is given.", LetterFilters, "LetterList"),
            ["/dead-letters/{id}"] = Get("One dead letter with its original bytes (base64, and as text when valid UTF-8).", ["id"], "LetterDetail", pathParameter: true),
            ["/dead-letters/replay"] = Post("Replay a selection through its pipeline's file as it is now (the file must be one the dashboard was given). "
                + "Needs the write role. The request ends when the replay does.", "ReplayResult"),
            ["/dead-letters/purge"] = Post("Delete a selection of dead letters for good. Needs the write role.", "PurgeResult"),
            ["/charts"] = Get("The last n runs (default 50, at most 1000) of a pipeline or flow, oldest first, with duration and dead-letter ratio.",
                ["pipeline", "n"], "Chart"),
            ["/lineage"] = Get("Each pipeline's newest recorded lineage: the datasets it reads and writes (namespace, name, fields) and, for each output, "
                + "the input columns each output column comes from (computed: derived rather than copied); and the pipelines flows' tasks ran.", [], "Lineage"),
            ["/alerts"] = Get("Recorded freshness and SLA misses, newest first, a page at a time by id (`next` as `before`); subject: a pipeline's or flow's name; "
                + "kind: pipeline or flow; limit: 1 to 500 (default 50). delivery: sent, pending (attempts, lastError, nextAttemptAt) or no-webhook.",
                ["subject", "kind", "before", "limit"], "AlertList"),
            ["/openapi.json"] = Get("This document.", [], null),
        };
        var document = new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "Sluice dashboard API",
                ["version"] = "1",
                ["description"] = "Runs, flow runs, dead letters, lineage and recorded alerts of a Sluice state file. Authenticate with `Authorization: Bearer TOKEN` or the "
                    + "dashboard's login cookie (none needed on loopback without authentication). POST bodies must be application/json: "
                    + "a cross-site form cannot send that, which is the API's protection against cross-site requests.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = prefix + "/api" }),
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject { ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer" } },
                ["schemas"] = new JsonObject
                {
                    ["Selection"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["description"] = "Either ids (at most 1000 hand-picked letters) or filters (every letter they match; at least one filter).",
                        ["properties"] = Properties(("ids", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer" } }),
                            ("pipeline", Text()), ("run", Text()), ("reason", Text()), ("stage", Text()), ("field", Text()), ("since", Text()), ("until", Text())),
                    },
                    ["Error"] = new JsonObject { ["type"] = "object", ["properties"] = Properties(("error", Text())) },
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
            ["paths"] = paths,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Get(string summary, string[] parameters, string? shape, bool pathParameter = false) => new()
    {
        ["get"] = new JsonObject
        {
            ["summary"] = summary,
            ["parameters"] = new JsonArray([.. parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p,
                ["in"] = pathParameter ? "path" : "query",
                ["required"] = pathParameter || p == "pipeline" && shape == "Chart",
                ["schema"] = Text(),
            })]),
            ["responses"] = Responses(shape),
        },
    };

    private static JsonObject Post(string summary, string shape) => new()
    {
        ["post"] = new JsonObject
        {
            ["summary"] = summary,
            ["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Selection" } } },
            },
            ["responses"] = Responses(shape, post: true),
        },
    };

    private static JsonObject Responses(string? shape, bool post = false)
    {
        var responses = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = shape ?? "the OpenAPI document",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } },
            },
            ["400"] = Problem("a parameter is not valid"),
            ["401"] = Problem("no valid token or login cookie"),
            ["404"] = Problem("no such run or letter, or no state file yet"),
        };
        if (post)
        {
            responses["403"] = Problem("the write role is needed");
            responses["409"] = Problem("replay cannot start: no file for the pipeline, the file does not load, or the pipeline is running");
            responses["415"] = Problem("the body is not application/json");
        }
        return responses;
    }

    private static JsonObject Problem(string description) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Error" } } },
    };

    private static JsonObject Text() => new() { ["type"] = "string" };

    private static JsonObject Properties(params (string Name, JsonNode Schema)[] properties)
    {
        var o = new JsonObject();
        foreach (var (name, schema) in properties)
            o[name] = schema;
        return o;
    }
}
