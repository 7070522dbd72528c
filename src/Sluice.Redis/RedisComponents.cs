using Sluice.Extensibility;

namespace Sluice.Redis;

/// <summary>
/// Registers the Redis Streams components in a <see cref="ComponentCatalog"/>, through the same public API a user's
/// own components use: afterwards pipeline files loaded with that catalog may say <c>type: redis_stream</c> as a source
/// and as a sink, and their options are checked, validated and documented like a built-in's.
/// </summary>
/// <example>
/// <code>
/// var catalog = new ComponentCatalog().AddRedis();
/// var pipeline = PipelineFile.Load("pipeline.yaml", catalog);
/// </code>
/// </example>
public static class RedisComponents
{
    /// <summary>Registers the <c>redis_stream</c> source (<see cref="RedisStreamSourceOptions"/>) and sink
    /// (<see cref="RedisStreamSinkOptions"/>).</summary>
    /// <returns>The catalog, so that registrations chain.</returns>
    public static ComponentCatalog AddRedis(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Register(RedisStreamSourceOptions.Spec).Register(RedisStreamSinkOptions.Spec);
    }
}
