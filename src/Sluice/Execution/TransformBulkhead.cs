using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Polly;
using Sluice.Observability;
using Sluice.Records;

namespace Sluice.Execution;

/// <summary>
/// The bulkhead of a transform stage whose <c>resilience.concurrency</c> is more than 1: applies up to that many
/// batches at the same time, each on the thread pool under the stage's resilience pipeline, and emits their outputs
/// in input order, so the stages downstream see what one batch at a time would give them. It exists for transforms
/// that wait (an API call) or that keep one core busy while others idle; a stage of concurrency 1 does not use it.
/// </summary>
/// <remarks>
/// Batch <i>k</i> runs on lane <i>k</i> mod N, and each lane has its own transform instance and
/// <see cref="PoisonIsolation"/>, because neither may be used by two threads at once; lanes are reused in order,
/// so nothing is allocated per batch but its task.
/// Emits when the oldest batch in flight is done (also while the stage waits for input); backpressures (starts
/// no batch) while N are in flight and the oldest is not done; <see cref="DrainAsync"/>, called before a checkpoint
/// barrier is passed and at the end of input, emits everything in flight, so no batch overtakes a barrier. Memory:
/// at most N batches in flight and their outputs. Failure: the first batch to fail (after its retries) cancels the
/// others; once none runs any more, its exception is thrown from the call that reached it.
/// The stage's busy time adds up every batch's apply, so with N lanes it may exceed the wall time.
/// Its methods are called by the stage's worker only, one at a time.
/// </remarks>
internal sealed class TransformBulkhead : IAsyncDisposable
{
    private readonly PoisonIsolation[] _isolations;
    private readonly List<Batch>[] _outputs;
    private readonly Task?[] _inFlight; // by lane; the oldest batch is on lane _oldest
    private readonly ResiliencePipeline _resilience;
    private readonly StageCounters _counters;
    private readonly KeyValuePair<string, object?>[] _meterTags;
    private readonly Func<Batch, ValueTask> _emit;
    private readonly CancellationTokenSource _stopping;
    private Exception? _firstFailure;
    private int _oldest;
    private int _count;

    /// <param name="transforms">One instance per lane.</param>
    /// <param name="meterTags">The stage's tags on the Sluice meter, for each batch's duration.</param>
    /// <param name="emit">Sends one output batch downstream (and counts it).</param>
    public TransformBulkhead(IReadOnlyList<ITransform> transforms, StageContext context, ResiliencePipeline resilience,
        KeyValuePair<string, object?>[] meterTags, Func<Batch, ValueTask> emit, CancellationToken cancellationToken)
    {
        _isolations = transforms.Select(t => new PoisonIsolation(t, context)).ToArray();
        _outputs = transforms.Select(_ => new List<Batch>()).ToArray();
        _inFlight = new Task?[transforms.Count];
        _resilience = resilience;
        _counters = context.Counters;
        _meterTags = meterTags;
        _emit = emit;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>The next batch or barrier of <paramref name="input"/>; while it has none, emits the output of the
    /// batches that finish, so output does not wait for more input.</summary>
    public async ValueTask<Flow?> ReadAsync(InputPort input, CancellationToken cancellationToken)
    {
        var read = input.ReadAsync(cancellationToken);
        if (read.IsCompleted || _count == 0)
        {
            return await read;
        }
        var next = read.AsTask();
        while (_count > 0 && !next.IsCompleted)
        {
            await Task.WhenAny(next, _inFlight[_oldest]!);
            await EmitDoneAsync();
        }
        return await next;
    }

    /// <summary>Starts applying <paramref name="batch"/>; when N batches are in flight, first waits for the oldest
    /// and emits its output.</summary>
    public async ValueTask StartAsync(Batch batch)
    {
        await EmitDoneAsync();
        if (_count == _inFlight.Length)
        {
            await EmitOldestAsync();
        }
        int lane = (_oldest + _count) % _inFlight.Length;
        _inFlight[lane] = Task.Run(() => ApplyAsync(lane, batch));
        _count++;
    }

    /// <summary>Waits for every batch in flight and emits their outputs, in order.</summary>
    public async ValueTask DrainAsync()
    {
        while (_count > 0)
        {
            await EmitOldestAsync();
        }
    }

    /// <summary>Stops what is still in flight (only after a failure elsewhere in the stage) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_count > 0)
        {
            await StopAsync();
        }
        _stopping.Dispose();
    }

    private async Task ApplyAsync(int lane, Batch batch)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await _resilience.ExecuteAsync(static (s, _) =>
            {
                s.Isolation.Apply(s.Batch, s.Outputs);
                return ValueTask.CompletedTask;
            }, (Isolation: _isolations[lane], Batch: batch, Outputs: _outputs[lane]), _stopping.Token);
        }
        catch (Exception e)
        {
            // Recorded before the others are cancelled, so their cancellations never pass for the cause.
            Interlocked.CompareExchange(ref _firstFailure, e, null);
            await _stopping.CancelAsync();
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            _counters.AddBusy(elapsed);
            SluiceMetrics.BatchDone(_meterTags, elapsed);
        }
    }

    private async ValueTask EmitDoneAsync()
    {
        while (_count > 0 && _inFlight[_oldest]!.IsCompleted)
        {
            await EmitOldestAsync();
        }
    }

    private async ValueTask EmitOldestAsync()
    {
        int lane = _oldest;
        var applying = _inFlight[lane]!;
        await applying.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!applying.IsCompletedSuccessfully)
        {
            await StopAsync();
            ExceptionDispatchInfo.Throw(_firstFailure!);
        }
        _inFlight[lane] = null;
        _oldest = (lane + 1) % _inFlight.Length;
        _count--;
        foreach (var output in _outputs[lane])
        {
            await _emit(output);
        }
        _outputs[lane].Clear();
    }

    /// <summary>Cancels the batches in flight and waits until none runs: none may touch the stage's counters or
    /// dead letters after its worker ended.</summary>
    private async Task StopAsync()
    {
        await _stopping.CancelAsync();
        for (int lane = 0; lane < _inFlight.Length; lane++)
        {
            if (_inFlight[lane] is { } applying)
            {
                await applying.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _inFlight[lane] = null;
            }
        }
        _count = 0;
    }
}
