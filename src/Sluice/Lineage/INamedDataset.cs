namespace Sluice.Extensibility;

/// <summary>
/// Implemented by a source (<see cref="ISource"/>) or sink (<see cref="ISink"/>) that can say which dataset it reads
/// or writes, for lineage (OpenLineage events and the lineage the state store keeps). Optional: a stage that does not
/// implement it is named after its component and stage (namespace <c>sluice:{type}</c>, name
/// <c>{pipeline}.{stage}</c>).
/// </summary>
public interface INamedDataset
{
    /// <summary>The dataset, named per OpenLineage's conventions; never with a password or user info in it.</summary>
    LineageDataset Dataset { get; }
}
