using Sluice.TypedPipelines;

namespace Sluice;

/// <summary>Transform stages written as C# lambdas over record types, for use outside a <see cref="Pipeline{T}"/>
/// chain (e.g. a custom transform registered by name for pipeline files).</summary>
public static class Typed
{
    /// <summary>A transform stage that turns each <typeparamref name="TIn"/> into a <typeparamref name="TOut"/>; a null
    /// result drops the record, an exception dead-letters it. See <see cref="RecordTransformOptions{TIn,TOut}"/>.</summary>
    public static RecordTransformOptions<TIn, TOut> Transform<TIn, TOut>(Func<TIn, TOut?> map) =>
        (RecordTransformOptions<TIn, TOut>)LambdaChain<TIn>.Start().Select(map).ToOptions();
}
