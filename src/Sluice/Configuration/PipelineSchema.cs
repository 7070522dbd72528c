using System.Text.Json.Nodes;
using System.Text.Json;
using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>The pipeline file's JSON Schema, generated from the same declarations the loader checks against,
/// so editors complete and check exactly what <c>sluice validate</c> accepts.</summary>
public static class PipelineSchema
{
    /// <summary>The schema's <c>$id</c>, and the address a <c># yaml-language-server: $schema=</c> line names.</summary>
    public const string Id = "https://sluice.dev/schemas/pipeline.schema.json";

    /// <param name="catalog">The components to describe; the built-in ones when null.</param>
    public static string JsonSchema(ComponentCatalog? catalog = null)
    {
        var schema = ToSchema(PipelineSpec.Root, catalog ?? ComponentCatalog.BuiltIn);
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        schema["$id"] = Id;
        schema["title"] = "Sluice pipeline file";
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The flow file's JSON Schema (see <see cref="Flows.FlowFile.JsonSchema"/>).</summary>
    internal static string FlowJsonSchema(ObjectShape root)
    {
        var schema = ToSchema(root, ComponentCatalog.BuiltIn);
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        schema["$id"] = "https://sluice.dev/schemas/flow.schema.json";
        schema["title"] = "Sluice flow file";
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The pipeline file reference (docs/pipeline-file.md for the built-in components).</summary>
    /// <param name="catalog">The components to describe; the built-in ones when null.</param>
    public static string Markdown(ComponentCatalog? catalog = null) => PipelineDocs.Generate(catalog ?? ComponentCatalog.BuiltIn);

    private static JsonObject ToSchema(Shape shape, ComponentCatalog catalog) => shape switch
    {
        ScalarShape { Allowed: { Count: > 0 } allowed } => new JsonObject { ["enum"] = new JsonArray(allowed.Select(a => (JsonNode)a!).ToArray()) },
        ScalarShape s => s.Kind switch
        {
            ScalarKind.Integer => new JsonObject { ["type"] = "integer" },
            ScalarKind.Number => new JsonObject { ["type"] = "number" },
            ScalarKind.Boolean => new JsonObject { ["type"] = "boolean" },
            ScalarKind.Any => new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") },
            _ => new JsonObject { ["type"] = "string" },
        },
        ListShape l => new JsonObject { ["type"] = "array", ["items"] = ToSchema(l.Item, catalog) },
        MapShape m => new JsonObject { ["type"] = "object", ["additionalProperties"] = ToSchema(m.Value, catalog) },
        ObjectShape o => ObjectSchema(o.Options, [], catalog),
        OneOfShape one => new JsonObject { ["anyOf"] = new JsonArray(one.Alternatives.Select(a => (JsonNode)ToSchema(a, catalog)).ToArray()) },
        ComponentShape c => new JsonObject
        {
            ["oneOf"] = new JsonArray(catalog.Of(c.Kind).Select(spec => (JsonNode)ObjectSchema(((ObjectShape)spec.Shape).Options,
                [new("type", new JsonObject { ["const"] = spec.Name, ["description"] = spec.Description })], catalog)).ToArray()),
        },
        TransformShape => new JsonObject
        {
            ["oneOf"] = new JsonArray(catalog.Transforms.Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "object",
                ["description"] = t.Description,
                ["properties"] = new JsonObject { [t.Name] = TransformValue(t, catalog) },
                ["required"] = new JsonArray(t.Name),
                ["additionalProperties"] = false,
            }).ToArray()),
        },
        StageShape => StageSchema(catalog),
        _ => throw new NotSupportedException(shape.GetType().Name),
    };

    /// <summary>A transform's value; one whose options are all optional may also be written with nothing.</summary>
    private static JsonObject TransformValue(ComponentSpec transform, ComponentCatalog catalog) =>
        transform.Shape is ObjectShape options && !options.Options.Any(o => o.Required)
            ? new JsonObject { ["anyOf"] = new JsonArray(ToSchema(options, catalog), new JsonObject { ["type"] = "null" }) }
            : ToSchema(transform.Shape, catalog);

    private static JsonObject ObjectSchema(IReadOnlyList<OptionSpec> options, IReadOnlyList<KeyValuePair<string, JsonObject>> extra, ComponentCatalog catalog)
    {
        var properties = new JsonObject();
        foreach (var (name, value) in extra)
        {
            properties[name] = value;
        }
        foreach (var option in options)
        {
            var property = ToSchema(option.Shape, catalog);
            property["description"] = option.Description;
            if (option.Default is not null)
            {
                property["default"] = option.Default;
            }
            properties[option.Name] = property;
        }
        var required = extra.Select(e => e.Key).Concat(options.Where(o => o.Required).Select(o => o.Name)).ToList();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Count > 0)
        {
            schema["required"] = new JsonArray(required.Select(r => (JsonNode)r!).ToArray());
        }
        return schema;
    }

    private static JsonObject StageSchema(ComponentCatalog catalog)
    {
        var kinds = new List<(string Key, Shape Shape)>
        {
            ("source", new ComponentShape(StageKind.Source)),
            ("contract", Shape.OneOf(Shape.String, catalog.Contract.Shape)),
            ("sink", new ComponentShape(StageKind.Sink)),
        };
        kinds.AddRange(catalog.Transforms.Select(t => (t.Name, t.Shape)));
        var properties = new JsonObject
        {
            ["name"] = new JsonObject { ["type"] = "string", ["description"] = "The stage's unique name." },
            ["from"] = new JsonObject
            {
                ["description"] = "The stage(s) this one reads from; several make a union. Default: the stage above.",
                ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }),
            },
        };
        foreach (var (key, shape) in kinds)
        {
            properties[key] = catalog.Transforms.FirstOrDefault(t => t.Name == key) is { } transform
                ? TransformValue(transform, catalog)
                : ToSchema(shape, catalog);
        }
        var resilience = ToSchema(PipelineSpec.Resilience, catalog);
        resilience["description"] = "This stage's resilience, replacing the pipeline's `resilience` for it.";
        properties["resilience"] = resilience;
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray("name"),
            ["additionalProperties"] = false,
            ["oneOf"] = new JsonArray(kinds.Select(k => (JsonNode)new JsonObject { ["required"] = new JsonArray(k.Key) }).ToArray()),
        };
    }
}
