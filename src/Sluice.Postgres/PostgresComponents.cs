using Sluice.Extensibility;

namespace Sluice.Postgres;

/// <summary>
/// Registers the PostgreSQL components in a <see cref="ComponentCatalog"/>, through the same public API a user's own
/// components use: afterwards pipeline files loaded with that catalog may say <c>type: postgres</c> as a source and as a sink, and their options
/// are checked, validated and documented like a built-in's.
/// </summary>
/// <example>
/// <code>
/// var catalog = new ComponentCatalog().AddPostgres();
/// var pipeline = PipelineFile.Load("pipeline.yaml", catalog);
/// </code>
/// </example>
public static class PostgresComponents
{
    /// <summary>Registers the <c>postgres</c> source (<see cref="PostgresSourceOptions"/>) and sink
    /// (<see cref="PostgresSinkOptions"/>).</summary>
    /// <returns>The catalog, so that registrations chain.</returns>
    public static ComponentCatalog AddPostgres(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Register(PostgresSourceOptions.Spec).Register(PostgresSinkOptions.Spec);
    }
}
