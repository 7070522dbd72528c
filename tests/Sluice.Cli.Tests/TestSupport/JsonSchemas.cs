using System.Text.Json;
using Json.Schema;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>The schemas of docs/json (copied beside the tests), and assertions that a document meets one.</summary>
public static class JsonSchemas
{
    private static readonly Dictionary<string, JsonSchema> Schemas = Load();

    /// <summary>Parses <paramref name="stdout"/> as exactly one JSON document, asserts it meets <c>NAME.schema.json</c>
    /// (every failure listed), and returns its root for the test to check values.</summary>
    public static JsonElement AssertValid(string name, string stdout)
    {
        JsonElement root = JsonDocument.Parse(stdout).RootElement.Clone();
        EvaluationResults results = Evaluate(name, root);
        Assert.True(results.IsValid, $"{name}.schema.json rejects the output:\n{Describe(results)}\n{stdout}");
        return root;
    }

    public static EvaluationResults Evaluate(string name, JsonElement document) =>
        Schemas[name].Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")));

    private static Dictionary<string, JsonSchema> Load()
    {
        // One registry for all, so that their $refs to common.schema.json resolve without fetching anything.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "json"), "*.schema.json")
            .ToDictionary(f => Path.GetFileName(f)[..^".schema.json".Length], f => JsonSchema.FromFile(f, options));
    }
}
