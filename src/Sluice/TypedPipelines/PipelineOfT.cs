using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.TypedPipelines;

namespace Sluice;

/// <summary>
/// A typed pipeline under construction whose records are now of <typeparamref name="T"/>. Immutable: every method
/// returns a new one. Consecutive <see cref="Where"/> and <see cref="Select{TOut}"/> calls become one transform
/// stage, so a record is made once for all of them.
/// </summary>
public sealed class Pipeline<T>
{
    private readonly PipelineDefinition _definition; // the stages so far, the last of which emits T's columns
    private readonly LambdaChain<T>? _lambdas;       // lambdas not yet made a stage

    private Pipeline(PipelineDefinition definition, LambdaChain<T>? lambdas)
    {
        _definition = definition;
        _lambdas = lambdas;
    }

    internal static Pipeline<T> Start(PipelineDefinition definition, RecordSource<T> source) =>
        new Pipeline<T>(definition, null).Add("source", source.Options).Add("contract", TypedContract.Of<T>());

    /// <summary>Adds rules to the contract records of <typeparamref name="T"/> meet, e.g.
    /// <c>.Validate(c => c.Field(f => f.Delay, min: -120, max: 3000))</c>. Right after the source it refines the
    /// source's contract; after a transform it adds a contract stage over the records the transform made.</summary>
    public Pipeline<T> Validate(Action<ContractRules<T>> rules)
    {
        var flushed = Flush();
        var stages = flushed._definition.Stages;
        if (stages[^1] is { Options: ContractOptions contract } last)
        {
            var replaced = stages.Take(stages.Count - 1).Append(last with { Options = TypedContract.With(contract, rules) }).ToList();
            return new(flushed._definition with { Stages = replaced }, null);
        }
        return flushed.Add("contract", TypedContract.With(TypedContract.Of<T>(), rules));
    }

    /// <summary>Keeps the records <paramref name="predicate"/> is true for; the others count as filtered. A record
    /// it throws on is dead-lettered (reason <c>transform</c>, rule <c>exception</c>).</summary>
    public Pipeline<T> Where(Func<T, bool> predicate) => new(_definition, (_lambdas ?? LambdaChain<T>.Start()).Where(predicate));

    /// <summary>Turns each record into a <typeparamref name="TOut"/>; a null result drops the record (filtered), an
    /// exception dead-letters it.</summary>
    public Pipeline<TOut> Select<TOut>(Func<T, TOut?> map) => new(_definition, (_lambdas ?? LambdaChain<T>.Start()).Select(map));

    /// <summary>Calls <paramref name="call"/> for each record, up to <paramref name="concurrency"/> at once, each under
    /// <paramref name="resilience"/> (by default the pipeline's): retried on the failures its <c>retry.on</c> names,
    /// cancelled through its token after <c>timeout</c>. A call that still fails dead-letters its record; a null
    /// result drops it. The output keeps the input's order.</summary>
    public Pipeline<TOut> SelectAsync<TOut>(Func<T, CancellationToken, Task<TOut?>> call, int concurrency = 8, ResiliencePolicy? resilience = null) =>
        Flush().Then<TOut>(new AsyncSelectOptions<T, TOut>(call, concurrency, resilience ?? _definition.Resilience), "select_async");

    /// <summary>Adds a transform stage of your own (e.g. one made by <see cref="Typed.Transform{TIn,TOut}"/>) whose
    /// output columns are those of <typeparamref name="TOut"/>.</summary>
    public Pipeline<TOut> Then<TOut>(ITransformOptions transform, string name = "transform") =>
        new(Flush().Add(name, transform)._definition, null);

    /// <summary>Writes the records to <paramref name="sink"/> and ends the pipeline.</summary>
    public Pipeline To(RecordSink<T> sink) => new(Flush().Add("sink", sink.Options)._definition);

    private Pipeline<T> Flush() => _lambdas is null ? this : new Pipeline<T>(_definition, null).Add("transform", _lambdas.ToOptions());

    /// <summary>Appends a stage reading from the last one, named <paramref name="name"/> or, when that is taken,
    /// <c>name_2</c>, <c>name_3</c>, …</summary>
    private Pipeline<T> Add(string name, IStageOptions options)
    {
        var stages = _definition.Stages;
        string unique = name;
        for (int n = 2; stages.Any(s => s.Name == unique); n++)
        {
            unique = $"{name}_{n}";
        }
        var stage = new StageDefinition(unique, options, stages.Count == 0 ? [] : [stages[^1].Name]);
        return new(_definition with { Stages = [.. stages, stage] }, null);
    }
}
