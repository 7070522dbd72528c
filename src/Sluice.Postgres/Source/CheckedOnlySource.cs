using Apache.Arrow;
using Sluice.Extensibility;

namespace Sluice.Postgres.Source;

/// <summary>What <c>CreateSource</c> returns when the pipeline is only checked (<c>sluice validate</c>) and the
/// connection's secret is not set: the database could not be asked for the columns, so they are the ones the options
/// or the contract name, as strings (the contract types them). It cannot read.</summary>
internal sealed class CheckedOnlySource(Schema schema) : ISource
{
    public Schema Schema => schema;

    public IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("this postgres source was built to check a pipeline without its secret (BuildContext.ResolveSecrets is false) and cannot read; build it with ResolveSecrets to run");
}
