using Sluice;
using Sluice.Extensibility;

namespace CustomerStages;

/// <summary>The entry point the sluice command looks for: it registers this assembly's components.</summary>
public sealed class CustomerStagesPlugin : ISluicePlugin
{
    public void Register(ComponentCatalog catalog) => catalog
        .AddTransform<EnrichOptions>("enrich_customers", "Adds each record's customer tier as a column.", o => new EnrichTransformOptions(o))
        .AddSink<JsonArraySinkOptions>("json_array", "Writes each checkpoint's records as one JSON array file, published when the checkpoint commits.",
            o => new JsonArraySink.Options(o));
}
