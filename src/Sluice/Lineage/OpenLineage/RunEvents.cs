using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.State;

namespace Sluice.Lineage.OpenLineage;

/// <summary>
/// Builds OpenLineage run events (spec 2-0-2) for Sluice's runs: START when a run starts (or resumes), then one of
/// COMPLETE, FAIL or ABORT when it ends. Datasets carry the <c>schema</c> facet and outputs the <c>columnLineage</c>
/// facet; a run a flow started carries the <c>parent</c> facet naming the flow's run, and a failed one the
/// <c>errorMessage</c> facet.
/// </summary>
internal static class RunEvents
{
    public const string SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    private const string SchemaFacet = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    private const string ColumnLineageFacet = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";
    private const string ParentFacet = "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";
    private const string ErrorFacet = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";

    /// <summary>Names Sluice and its version, as OpenLineage's <c>producer</c> asks: the source tree of that version.</summary>
    public static string Producer { get; } = "https://github.com/sluice-dev/sluice/tree/v" + Version();

    /// <summary>The OpenLineage event type a run's end state maps to: a run stopped or cancelled before its input
    /// ended (it resumes next time) is ABORT; a failed quality gate is a FAIL.</summary>
    public static string EndType(RunState state) => state switch
    {
        RunState.Succeeded => "COMPLETE",
        RunState.Cancelled or RunState.Stopped => "ABORT",
        _ => "FAIL",
    };

    /// <summary>OpenLineage wants a UUID for a run: the version-5 UUID of <c>sluice:run:{id}</c> in RFC 4122's URL
    /// namespace, so the same Sluice run always has the same one, and anyone can compute it from the run id.</summary>
    public static Guid RunUuid(string runId)
    {
        Span<byte> name = stackalloc byte[16 + Encoding.UTF8.GetByteCount("sluice:run:" + runId)];
        UrlNamespace.TryWriteBytes(name, bigEndian: true, out _);
        Encoding.UTF8.GetBytes("sluice:run:" + runId, name[16..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    /// <param name="parent">The flow run a task's pipeline run belongs to: its id and the flow's name.</param>
    /// <param name="error">Why the run failed, for a FAIL event.</param>
    public static JsonObject Build(string eventType, DateTimeOffset at, string jobNamespace, string runId, PipelineLineage? lineage,
        string job, (string RunId, string Job)? parent = null, string? error = null)
    {
        var runFacets = new JsonObject();
        if (parent is { } p)
        {
            runFacets["parent"] = Facet(ParentFacet, new JsonObject
            {
                ["run"] = new JsonObject { ["runId"] = RunUuid(p.RunId).ToString() },
                ["job"] = new JsonObject { ["namespace"] = jobNamespace, ["name"] = p.Job },
            });
        }
        if (error is not null && eventType == "FAIL")
        {
            runFacets["errorMessage"] = Facet(ErrorFacet, new JsonObject { ["message"] = error, ["programmingLanguage"] = "C#" });
        }
        var run = new JsonObject { ["runId"] = RunUuid(runId).ToString() };
        if (runFacets.Count > 0)
        {
            run["facets"] = runFacets;
        }
        return new JsonObject
        {
            ["eventType"] = eventType,
            ["eventTime"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["producer"] = Producer,
            ["schemaURL"] = SchemaUrl,
            ["run"] = run,
            ["job"] = new JsonObject { ["namespace"] = jobNamespace, ["name"] = job },
            ["inputs"] = new JsonArray([.. (lineage?.Inputs ?? []).Select(Dataset)]),
            ["outputs"] = new JsonArray([.. (lineage?.Outputs ?? []).Select(Dataset)]),
        };
    }

    private static JsonNode Dataset(DatasetLineage dataset)
    {
        var facets = new JsonObject
        {
            ["schema"] = Facet(SchemaFacet, new JsonObject
            {
                ["fields"] = new JsonArray([.. dataset.Fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type })]),
            }),
        };
        if (dataset.Columns.Count > 0)
        {
            var fields = new JsonObject();
            foreach (var column in dataset.Columns)
            {
                fields[column.Column] = new JsonObject { ["inputFields"] = new JsonArray([.. column.Inputs.Select(InputField)]) };
            }
            facets["columnLineage"] = Facet(ColumnLineageFacet, new JsonObject { ["fields"] = fields });
        }
        return new JsonObject { ["namespace"] = dataset.Namespace, ["name"] = dataset.Name, ["facets"] = facets };
    }

    private static JsonNode InputField(ColumnOrigin origin) => new JsonObject
    {
        ["namespace"] = origin.Namespace,
        ["name"] = origin.Name,
        ["field"] = origin.Field,
        ["transformations"] = new JsonArray(new JsonObject
        {
            ["type"] = "DIRECT",
            ["subtype"] = origin.Computed ? "TRANSFORMATION" : "IDENTITY",
        }),
    };

    private static JsonObject Facet(string schemaUrl, JsonObject content)
    {
        var facet = new JsonObject { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
        foreach (var (key, value) in content.ToList())
        {
            content.Remove(key);
            facet[key] = value;
        }
        return facet;
    }

    private static string Version()
    {
        string version = typeof(RunEvents).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
