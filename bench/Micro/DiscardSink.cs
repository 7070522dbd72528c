using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Bench.Micro;

/// <summary>A sink that drops every batch and publishes nothing: what is left is the engine's cost of delivering.</summary>
public sealed record DiscardSinkOptions : ISinkOptions
{
    public ISink CreateSink(Schema input, BuildContext context) => new DiscardSink();
}

internal sealed class DiscardSink : ISink
{
    public IReadOnlyList<string> Published => [];

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new PreparedOutput("", []));

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AbortAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
