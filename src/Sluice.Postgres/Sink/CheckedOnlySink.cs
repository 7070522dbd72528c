using Sluice.Extensibility;

namespace Sluice.Postgres.Sink;

/// <summary>What <c>CreateSink</c> returns when the pipeline is only checked (<c>sluice validate</c>): the options and
/// the table were checked, and nothing will be written. It holds no connection.</summary>
internal sealed class CheckedOnlySink : ISink
{
    public IReadOnlyList<string> Published => [];

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken) => throw NotForRuns();

    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken) => throw NotForRuns();

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken) => throw NotForRuns();

    public ValueTask AbortAsync() => ValueTask.CompletedTask;

    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken) => throw NotForRuns();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static InvalidOperationException NotForRuns() =>
        new("this postgres sink was built to check a pipeline (BuildContext.ResolveSecrets is false) and cannot write; build it with ResolveSecrets to run");
}
