using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.TypedPipelines;

namespace Sluice;

/// <summary>
/// A transform stage that calls a service (an API, a database) for each record: up to <see cref="Concurrency"/>
/// calls in flight, each under <see cref="Resilience"/> (retries on the failures its <c>retry.on</c> names, a
/// timeout per call through the <see cref="CancellationToken"/> the call is given, a circuit breaker). A call that
/// still fails dead-letters its record (reason <c>transform</c>, rule <c>exception</c>); a call that returns null
/// drops it (filtered). Made by <see cref="Pipeline{T}.SelectAsync{TOut}"/>.
/// </summary>
/// <remarks>Emits one batch per input batch, its records in input order, when every call of the batch is done;
/// backpressures while they run (at most <see cref="Concurrency"/> at once). The engine applies transforms
/// synchronously, so the stage's worker thread waits for the batch's calls.</remarks>
public sealed class AsyncSelectOptions<TIn, TOut> : ITransformOptions
{
    internal AsyncSelectOptions(Func<TIn, CancellationToken, Task<TOut?>> call, int concurrency, ResiliencePolicy resilience)
    {
        if (concurrency is < 1 or > 1024)
        {
            throw new PipelineException(null, $"SelectAsync: concurrency must be from 1 to 1024 calls in flight; found {concurrency}");
        }
        Call = call;
        Concurrency = concurrency;
        Resilience = resilience;
    }

    internal Func<TIn, CancellationToken, Task<TOut?>> Call { get; }

    /// <summary>Calls in flight at most.</summary>
    public int Concurrency { get; }

    /// <summary>Applied to each call.</summary>
    public ResiliencePolicy Resilience { get; }

    public ITransform CreateTransform(Schema input, BuildContext context) =>
        new AsyncSelectTransform<TIn, TOut>(RecordReader<TIn>.For(input), this);

    public Schema? OutputWhenBroken(Schema input) => RecordShape.Of<TOut>().Schema;
}
