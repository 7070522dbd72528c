using Sluice.Pipelines;

namespace Sluice.TypedPipelines;

/// <summary>
/// Consecutive <c>Where</c>/<c>Select</c> lambdas of a typed pipeline, composed into one <see cref="RecordStep{TIn,TOut}"/>
/// so that they become one transform stage: each input record is made once and passed through all of them.
/// </summary>
/// <typeparam name="TOut">The record type after the last lambda.</typeparam>
internal abstract class LambdaChain<TOut>
{
    public abstract LambdaChain<TOut> Where(Func<TOut, bool> predicate);

    public abstract LambdaChain<TNext> Select<TNext>(Func<TOut, TNext?> map);

    /// <summary>The chain as one transform stage.</summary>
    public abstract ITransformOptions ToOptions();

    /// <summary>A chain that starts at records of <typeparamref name="TOut"/>.</summary>
    public static LambdaChain<TOut> Start() => new LambdaChain<TOut, TOut>(static (TOut input, out TOut output) =>
    {
        output = input;
        return true;
    });
}

internal sealed class LambdaChain<TIn, TOut>(RecordStep<TIn, TOut> step) : LambdaChain<TOut>
{
    public override LambdaChain<TOut> Where(Func<TOut, bool> predicate) =>
        new LambdaChain<TIn, TOut>((TIn input, out TOut output) => step(input, out output) && predicate(output));

    public override LambdaChain<TNext> Select<TNext>(Func<TOut, TNext?> map) where TNext : default =>
        new LambdaChain<TIn, TNext>((TIn input, out TNext output) =>
        {
            if (step(input, out var middle) && map(middle) is { } next)
            {
                output = next;
                return true;
            }
            output = default!;
            return false;
        });

    public override ITransformOptions ToOptions() => new RecordTransformOptions<TIn, TOut>(step);
}
