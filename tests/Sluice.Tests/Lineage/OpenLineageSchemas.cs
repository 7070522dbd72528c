using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace Sluice.Tests.Lineage;

/// <summary>The vendored OpenLineage schemas (OpenLineageSchema/README.md), and an assertion that an event meets them:
/// the event against the spec's RunEvent, and each facet in it against the schema its <c>_schemaURL</c> names.</summary>
internal static class OpenLineageSchemas
{
    // One registry: a facet's $ref to the spec by its URL resolves to the copy registered under that $id, never the network.
    private static readonly BuildOptions Options = Load();
    private static readonly ConcurrentDictionary<string, JsonSchema> ByUrl = new();

    public static void AssertValid(JsonElement runEvent)
    {
        var problems = Problems(runEvent);
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + runEvent);
    }

    /// <summary>What the schemas reject in <paramref name="runEvent"/>, one line per schema that rejects a part.</summary>
    public static List<string> Problems(JsonElement runEvent)
    {
        var problems = new List<string>();
        Check("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent", runEvent, problems);
        foreach (var facet in Facets(runEvent))
        {
            Check(facet.GetProperty("_schemaURL").GetString()!, facet, problems);
        }
        return problems;
    }

    private static IEnumerable<JsonElement> Facets(JsonElement runEvent)
    {
        var owners = new List<JsonElement> { runEvent.GetProperty("run") };
        foreach (string side in new[] { "inputs", "outputs" })
        {
            if (runEvent.TryGetProperty(side, out var datasets))
            {
                owners.AddRange(datasets.EnumerateArray());
            }
        }
        return owners.Where(o => o.TryGetProperty("facets", out _)).SelectMany(o => o.GetProperty("facets").EnumerateObject().Select(p => p.Value));
    }

    private static void Check(string url, JsonElement document, List<string> problems)
    {
        var schema = ByUrl.GetOrAdd(url, u => JsonSchema.FromText(
            $$"""{ "$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "{{u}}" }""", Options));
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!results.IsValid)
        {
            problems.Add($"{url} rejects: {Describe(results)}");
        }
    }

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")));

    private static BuildOptions Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        foreach (string file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Lineage", "OpenLineageSchema"), "*.json"))
        {
            JsonSchema.FromFile(file, options);
        }
        return options;
    }
}
