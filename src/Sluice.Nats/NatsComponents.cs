using Sluice.Extensibility;

namespace Sluice.Nats;

/// <summary>
/// Registers the NATS JetStream components in a <see cref="ComponentCatalog"/>, through the same public API a user's
/// own components use: afterwards pipeline files loaded with that catalog may say <c>type: nats_jetstream</c> as a
/// source and as a sink, and their options are checked, validated and documented like a built-in's.
/// </summary>
/// <example>
/// <code>
/// var catalog = new ComponentCatalog().AddNats();
/// var pipeline = PipelineFile.Load("pipeline.yaml", catalog);
/// </code>
/// </example>
public static class NatsComponents
{
    /// <summary>Registers the <c>nats_jetstream</c> source (<see cref="NatsJetStreamSourceOptions"/>) and sink
    /// (<see cref="NatsJetStreamSinkOptions"/>).</summary>
    /// <returns>The catalog, so that registrations chain.</returns>
    public static ComponentCatalog AddNats(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Register(NatsJetStreamSourceOptions.Spec).Register(NatsJetStreamSinkOptions.Spec);
    }
}
