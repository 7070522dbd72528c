using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.TypedPipelines;

namespace Sluice;

/// <summary>
/// A transform stage written as C# over record types: each row of the input becomes a <typeparamref name="TIn"/>,
/// goes through the lambdas, and the <typeparamref name="TOut"/> it becomes is written to the output. A lambda
/// that throws dead-letters that record alone (reason <c>transform</c>, rule <c>exception</c>, the message
/// <c>ExceptionType: message</c>); a record a lambda drops counts as filtered. Made by <see cref="Typed.Transform{TIn,TOut}"/>
/// and by the <c>Where</c>/<c>Select</c> of <see cref="Pipeline{T}"/>.
/// </summary>
/// <remarks>Emits one batch per input batch (none when every record is dropped), in order; holds one batch's
/// records at a time. Stateless, so <c>resilience.concurrency</c> may apply it to several batches at once.</remarks>
public sealed class RecordTransformOptions<TIn, TOut> : ITransformOptions
{
    private readonly RecordStep<TIn, TOut> _step;

    internal RecordTransformOptions(RecordStep<TIn, TOut> step) => _step = step;

    /// <summary>Compiles the mapping of the input's columns to <typeparamref name="TIn"/> and of <typeparamref name="TOut"/>
    /// to the output's; throws <see cref="PipelineException"/> naming each property whose column is missing or of
    /// another type.</summary>
    public ITransform CreateTransform(Schema input, BuildContext context) =>
        new RecordTransform<TIn, TOut>(RecordReader<TIn>.For(input), _step);

    public Schema? OutputWhenBroken(Schema input) => RecordShape.Of<TOut>().Schema;
}
