using Polly;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>Calls a service for every record of a batch; see <see cref="AsyncSelectOptions{TIn,TOut}"/>.</summary>
internal sealed class AsyncSelectTransform<TIn, TOut>(RecordReader<TIn> reader, AsyncSelectOptions<TIn, TOut> options) : ITransform
{
    private readonly RecordWriter<TOut> _writer = new();
    // Built on the first batch and kept: the circuit breaker's state must outlive a batch. It counts into the
    // stage's own counters, not the poison isolation's scratch ones, so its retries and timeouts reach the summary.
    private ResiliencePipeline? _resilience;

    public Apache.Arrow.Schema OutputSchema => _writer.Schema;

    public Batch? Apply(Batch input, StageContext context)
    {
        _resilience ??= StageResilience.Build(options.Resilience, context.ResilienceCounters);
        int n = input.Length;
        var records = new TIn[n];
        var failures = new Exception?[n];
        var results = new TOut?[n];
        reader.Bind(input.Data);
        try
        {
            for (int row = 0; row < n; row++)
            {
                try
                {
                    records[row] = reader.Read(row);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures[row] = e;
                }
            }
        }
        finally
        {
            reader.Release();
        }
        // ITransform.Apply is synchronous: this worker waits while the calls run on the thread pool.
        Parallel.ForEachAsync(Enumerable.Range(0, n).Where(r => failures[r] is null),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency },
            async (row, cancellationToken) =>
            {
                try
                {
                    results[row] = await _resilience.ExecuteAsync(static (state, token) => new ValueTask<TOut?>(state.Call(state.Record, token)),
                        (options.Call, Record: records[row]), cancellationToken);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures[row] = e;
                }
            }).GetAwaiter().GetResult();
        return Emit(input, context, failures, results);
    }

    private Batch? Emit(Batch input, StageContext context, Exception?[] failures, TOut?[] results)
    {
        _writer.Start(input.Length);
        var kept = new List<int>(input.Length);
        long filtered = 0;
        for (int row = 0; row < input.Length; row++)
        {
            if (failures[row] is { } failure)
            {
                RecordFailure.DeadLetter(context, input.Origins[row], failure);
            }
            else if (results[row] is { } result)
            {
                _writer.Append(result);
                kept.Add(row);
            }
            else
            {
                filtered++;
            }
        }
        context.RecordsFiltered(filtered);
        if (kept.Count == 0)
        {
            return null;
        }
        var origins = kept.Count == input.Length ? input.Origins : input.Origins.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept));
        return new Batch(_writer.Build(), origins, input.Position);
    }
}
