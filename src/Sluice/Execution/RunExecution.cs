using System.Diagnostics;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// One run of a built pipeline. Each stage gets one worker task and (except sources) one bounded input channel,
/// so a slow stage makes its upstream wait instead of growing memory. The first failing stage cancels the rest;
/// sinks publish only when every stage ended cleanly and the quality gate holds.
/// </summary>
internal sealed class RunExecution
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(2);

    private readonly RunRecord _run;
    private readonly PipelineDefinition _pipeline;
    private readonly IReadOnlyList<StageNode> _nodes;
    private readonly IStateStore _store;
    private readonly DeadLetterBuffer _deadLetters;
    private readonly TimeSpan _leaseDuration;
    private Lease _lease;
    private readonly Dictionary<StageNode, InputPort> _inputs = [];
    private Exception? _firstFailure;

    public RunExecution(RunRecord run, PipelineDefinition pipeline, IReadOnlyList<StageNode> nodes, IStateStore store,
        Lease lease, RunnerOptions options)
    {
        _lease = lease;
        _leaseDuration = options.LeaseDuration;
        _run = run;
        _pipeline = pipeline;
        _nodes = nodes;
        _store = store;
        _deadLetters = new DeadLetterBuffer(store, run.Id, pipeline.Name);
        foreach (var node in nodes.Where(n => n.Kind != StageKind.Source))
        {
            _inputs[node] = new InputPort(node.Upstream.Count, options.ChannelCapacity);
        }
    }

    public async Task<RunOutcome> RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // return the PipelineRun to the caller before any work starts
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Disposing a timer ends its loop: no exception is thrown and caught on every run.
        using var saveTimer = new PeriodicTimer(SaveInterval);
        using var heartbeatTimer = new PeriodicTimer(_leaseDuration / 3);
        var saver = PeriodicSaveAsync(saveTimer);
        var heartbeat = HeartbeatAsync(heartbeatTimer, stop);
        var workers = _nodes.Select(n => Task.Run(() => WorkAsync(n, stop), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        saveTimer.Dispose();
        heartbeatTimer.Dispose();
        await saver;
        await heartbeat;

        var (state, error) = Decide(cancellationToken.IsCancellationRequested);
        var published = new List<string>();
        try
        {
            await _deadLetters.FlushAsync(CancellationToken.None);
            if (state == RunState.Succeeded)
            {
                foreach (var sink in _nodes.Where(n => n.Sink is not null))
                {
                    await sink.Sink!.CompleteAsync(CancellationToken.None);
                    published.AddRange(sink.Sink.Published);
                }
            }
        }
        catch (Exception e)
        {
            (state, error) = (RunState.Failed, OneLine(e));
        }
        if (state != RunState.Succeeded)
        {
            await AbortSinksAsync();
        }
        await DisposeSinksAsync();

        var stages = _nodes.Select(Snapshot).ToList();
        await _store.SaveStageCountsAsync(_run.Id, stages, CancellationToken.None);
        await _store.FinishRunAsync(_run.Id, state, Totals(), error, CancellationToken.None);
        await _store.ReleaseLeaseAsync(_lease, CancellationToken.None);
        var finished = await _store.FindRunAsync(_run.Id, CancellationToken.None) ?? _run;
        return new RunOutcome(finished, stages, error, published);
    }

    private async Task WorkAsync(StageNode node, CancellationTokenSource stop)
    {
        var context = new StageContext(node.Name, node.Counters, _deadLetters);
        try
        {
            if (node.Source is not null)
            {
                await RunSourceAsync(node, context, stop.Token);
            }
            else
            {
                await RunConsumerAsync(node, context, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped because another stage failed or the user cancelled; the run's state says which.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _firstFailure, new StageFailedException(node.Name, e), null);
            await stop.CancelAsync();
        }
        finally
        {
            foreach (var downstream in node.Downstream)
            {
                _inputs[downstream].WriterDone();
            }
        }
    }

    private async Task RunSourceAsync(StageNode node, StageContext context, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        await foreach (var batch in node.Source!.ReadAsync(context, null, token).WithCancellation(token))
        {
            node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
            await _deadLetters.FlushIfFullAsync(token);
            if (batch.Length > 0)
            {
                node.Counters.AddOut(batch.Length);
                await EmitAsync(node, batch, token);
            }
            started = Stopwatch.GetTimestamp();
        }
        node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
    }

    private async Task RunConsumerAsync(StageNode node, StageContext context, CancellationToken token)
    {
        var reader = _inputs[node].Channel.Reader;
        while (await reader.WaitToReadAsync(token))
        {
            while (reader.TryRead(out var batch))
            {
                node.Counters.AddIn(batch.Length);
                long started = Stopwatch.GetTimestamp();
                if (node.Sink is not null)
                {
                    await node.Sink.WriteAsync(batch, context, token);
                    node.Counters.AddOut(batch.Length);
                    node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
                    continue;
                }
                var output = node.Transform!.Apply(batch, context);
                node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
                await _deadLetters.FlushIfFullAsync(token);
                if (output is { Length: > 0 })
                {
                    node.Counters.AddOut(output.Length);
                    await EmitAsync(node, output, token);
                }
            }
        }
    }

    private async ValueTask EmitAsync(StageNode node, Batch batch, CancellationToken token)
    {
        foreach (var downstream in node.Downstream)
        {
            await _inputs[downstream].Channel.Writer.WriteAsync(batch, token);
        }
    }

    private (RunState, string?) Decide(bool cancelled)
    {
        if (_firstFailure is { } failure)
        {
            return (RunState.Failed, OneLine(failure));
        }
        if (cancelled)
        {
            return (RunState.Cancelled, "cancelled");
        }
        foreach (var node in _nodes.Where(n => !n.Counters.Balances))
        {
            var c = node.Counters;
            return (RunState.Failed, $"internal error: stage '{node.Name}' does not balance: in {c.In} ≠ out {c.Out} + dead {c.DeadLettered} + filtered {c.Filtered}");
        }
        return QualityGate.Check(_pipeline.DeadLetter, Totals()) is { } breach
            ? (RunState.QualityGateFailed, breach)
            : (RunState.Succeeded, null);
    }

    private RunTotals Totals() => new(
        _nodes.Where(n => n.Kind == StageKind.Source).Sum(n => n.Counters.In),
        _nodes.Where(n => n.Kind == StageKind.Sink).Sum(n => n.Counters.Out),
        _nodes.Sum(n => n.Counters.Filtered),
        _nodes.Sum(n => n.Counters.DeadLettered));

    private static StageCounts Snapshot(StageNode node)
    {
        var c = node.Counters;
        return new StageCounts(node.Name, node.Kind, c.In, c.Out, c.Filtered, c.DeadLettered, c.Busy);
    }

    /// <summary>Saves counts every few seconds so that <c>sluice runs</c> and <c>sluice show</c> see a run in progress.</summary>
    private async Task PeriodicSaveAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            await _store.SaveStageCountsAsync(_run.Id, _nodes.Select(Snapshot).ToList(), CancellationToken.None);
        }
    }

    /// <summary>Renews the pipeline's lease every third of its duration. Losing it (the run was paused past its
    /// expiry and another process took over) fails the run: two processes must never write the same pipeline.</summary>
    private async Task HeartbeatAsync(PeriodicTimer timer, CancellationTokenSource stop)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                _lease = await _store.RenewLeaseAsync(_lease, _leaseDuration, CancellationToken.None);
            }
        }
        catch (LeaseLostException e)
        {
            Interlocked.CompareExchange(ref _firstFailure, e, null);
            await stop.CancelAsync();
        }
    }

    private async Task AbortSinksAsync()
    {
        foreach (var node in _nodes.Where(n => n.Sink is not null))
        {
            await node.Sink!.AbortAsync();
        }
    }

    private async Task DisposeSinksAsync()
    {
        foreach (var node in _nodes.Where(n => n.Sink is not null))
        {
            await node.Sink!.DisposeAsync();
        }
    }

    private static string OneLine(Exception e)
    {
        var message = e is StageFailedException s ? s.Message : $"{e.GetType().Name}: {e.Message}";
        return message.ReplaceLineEndings(" ");
    }
}
