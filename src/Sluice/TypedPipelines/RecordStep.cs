namespace Sluice.TypedPipelines;

/// <summary>What a run of consecutive lambdas does to one record: false drops it (a <c>Where</c> that said no, a
/// <c>Select</c> that returned null), true gives the record it became.</summary>
internal delegate bool RecordStep<in TIn, TOut>(TIn input, out TOut output);
