using System.Diagnostics;
using Polly;
using Sluice.Connectors.Files;
using Sluice.Expectations;
using Sluice.Lineage;
using Sluice.Observability;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// One run (or resumed run) of a built pipeline. Each stage gets one worker task and (except sources) one bounded
/// channel per input, so a slow stage makes its upstream wait instead of growing memory. Checkpoint barriers flow
/// through the same channels; the <see cref="CheckpointCoordinator"/> commits each checkpoint and publishes its
/// output. The first failing stage cancels the rest; the final checkpoint is committed only when every stage
/// ended cleanly and the quality gate holds.
/// </summary>
internal sealed class RunExecution
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(2);

    private readonly RunRecord _run;
    private readonly IReadOnlyList<StageNode> _nodes;
    private readonly IStateStore _store;
    private readonly TimeSpan _leaseDuration;
    private readonly long? _memoryLimit;
    private readonly CheckpointPolicy _policy;
    private readonly ResiliencePolicy _resilience;
    private readonly CheckpointCoordinator _coordinator;
    private readonly ExpectationGate _expectations;
    private readonly RunLineage _lineage;
    private readonly Dictionary<StageNode, InputPort> _inputs = [];
    private readonly Dictionary<StageNode, StageDeadLetters> _deadLetters = [];
    private readonly Dictionary<StageNode, StageContext> _contexts = [];
    private readonly Dictionary<StageNode, KeyValuePair<string, object?>[]> _meterTags = [];
    private readonly Dictionary<string, SourcePosition> _resumeAt = [];
    private readonly CancellationTokenSource _stopReading = new();
    private readonly bool _resumed;
    private Lease _lease;
    private Exception? _firstFailure;
    private int _sourcesCutShort;

    /// <param name="resumeFrom">The checkpoint a resumed run goes on from (its counts, positions and operator state
    /// are restored here); null for a new run.</param>
    /// <param name="consumed">Files the pipeline's committed checkpoints recorded as fully read: sources skip them.</param>
    public RunExecution(RunRecord run, PipelineDefinition pipeline, IReadOnlyList<StageNode> nodes, IStateStore store,
        Lease lease, RunnerOptions options, CheckpointRecord? resumeFrom, ConsumedFileSet consumed)
    {
        _lease = lease;
        _leaseDuration = options.LeaseDuration;
        _memoryLimit = options.MemoryLimit;
        _policy = pipeline.Checkpoint;
        _resilience = pipeline.Resilience;
        _run = run;
        _nodes = nodes;
        _store = store;
        _lineage = new RunLineage(run, pipeline, nodes, store, options.Lineage);
        _expectations = new ExpectationGate(pipeline.Expectations, nodes.Where(n => n.Sink is not null).Select(n => (n.Name, n.Schema)));
        _resumed = resumeFrom is not null;
        if (resumeFrom is not null)
        {
            Restore(resumeFrom);
        }
        SluiceMetrics.Track(run.Pipeline, nodes.Select(n => (n.Counters, n.Source))); // after Restore: a resumed run's counts go on
        _coordinator = new CheckpointCoordinator(nodes, store, run.Id, pipeline, () => Volatile.Read(ref _lease), resumeFrom,
            _expectations, () => Volatile.Read(ref _sourcesCutShort) == 0, (node, warning) => _contexts[node].Warn(warning));
        foreach (var node in nodes)
        {
            _deadLetters[node] = new StageDeadLetters(_coordinator.DeadLetterWritten);
            _contexts[node] = new StageContext(node.Name, node.Counters, _deadLetters[node], consumed);
            _meterTags[node] = SluiceMetrics.Tags(run.Pipeline, node.Counters);
            if (node.Kind != StageKind.Source)
            {
                _inputs[node] = new InputPort(node.Upstream, options.ChannelCapacity);
            }
        }
    }

    /// <summary>Asks for a graceful stop: sources stop after their current batch (no new input is read), everything
    /// already read drains through the stages, and a final checkpoint commits it. The run then ends cancelled (the
    /// next run resumes it), or succeeded if its input had ended anyway.</summary>
    public void RequestStop() => _stopReading.Cancel();

    /// <summary>For a new run: the positions its sources that continue across runs start after (see
    /// <see cref="ISource.ContinuesAcrossRuns"/>), by stage name.</summary>
    public IReadOnlyDictionary<string, SourcePosition> CarriedPositions
    {
        init
        {
            foreach (var (stage, position) in value)
            {
                _resumeAt[stage] = position;
            }
        }
    }

    private void Restore(CheckpointRecord checkpoint)
    {
        foreach (var node in _nodes)
        {
            if (checkpoint.Counts.FirstOrDefault(c => c.Stage == node.Name) is { } counts)
            {
                node.Counters.Restore(counts);
            }
            if (checkpoint.SourcePositions.TryGetValue(node.Name, out var position))
            {
                _resumeAt[node.Name] = new SourcePosition(position);
            }
            if (node.Transform is IStatefulTransform stateful && checkpoint.OperatorState.TryGetValue(node.Name, out var state))
            {
                stateful.RestoreState(state);
            }
            if (_expectations.Statistics.TryGetValue(node.Name, out var statistics))
            {
                RestoreStatistics(node, statistics, checkpoint);
            }
        }
    }

    /// <summary>A sink's column statistics go on from the checkpoint's, so the expectations measure the whole run.
    /// Statistics that do not match the expectations (they changed since the run stopped) would miscount: refused.</summary>
    private static void RestoreStatistics(StageNode sink, ColumnStatistics statistics, CheckpointRecord checkpoint)
    {
        try
        {
            statistics.Restore(checkpoint.OperatorState.TryGetValue(sink.Name, out var saved)
                ? saved
                : throw new InvalidDataException("the checkpoint has no column statistics (the expectations changed since the run stopped)"));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new PipelineException(null,
                $"run {checkpoint.RunId} cannot resume from checkpoint {checkpoint.Id}: sink '{sink.Name}': {e.Message}; run with --fresh to start a new run instead");
        }
    }

    public async Task<RunOutcome> RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // return the PipelineRun to the caller before any work starts
        await _lineage.StartAsync();
        // Current from here on: the stages' workers and the commit loop start their spans inside it.
        using var activity = SluiceTracing.StartRun(_run, _resumed);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Disposing a timer ends its loop: no exception is thrown and caught on every run.
        using var saveTimer = new PeriodicTimer(SaveInterval);
        using var heartbeatTimer = new PeriodicTimer(_leaseDuration / 3);
        using var checkpointTimer = _policy.EverySeconds > 0 ? new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(1, _policy.EverySeconds))) : null;
        var saver = PeriodicSaveAsync(saveTimer);
        var heartbeat = HeartbeatAsync(heartbeatTimer, stop);
        using var memoryTimer = _memoryLimit is null ? null : new PeriodicTimer(MemoryWatchInterval);
        var memoryWatch = memoryTimer is null ? Task.CompletedTask : WatchMemoryAsync(memoryTimer, _memoryLimit!.Value, stop);
        var checkpointClock = checkpointTimer is null ? Task.CompletedTask : _coordinator.TimerAsync(checkpointTimer);
        var committer = _coordinator.CommitLoopAsync(e => Fail(e, stop));
        if (_expectations.NeedsPreviousRun)
        {
            _expectations.PreviousWritten = (await _store.ListRunsAsync(_run.Pipeline, 100, CancellationToken.None))
                .FirstOrDefault(r => r.State == RunState.Succeeded && r.Kind == RunKinds.Pipeline && r.Id != _run.Id)?.RecordsWritten;
        }
        var workers = _nodes.Select(n => Task.Run(() => WorkAsync(n, stop), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        checkpointTimer?.Dispose();
        await checkpointClock;
        _coordinator.StopCommitting();
        await committer;
        saveTimer.Dispose();
        heartbeatTimer.Dispose();
        memoryTimer?.Dispose();
        await saver;
        await heartbeat;
        await memoryWatch;

        var (state, error) = Decide(cancellationToken.IsCancellationRequested);
        if (state == RunState.Succeeded)
        {
            try
            {
                await _coordinator.CommitFinalAsync();
            }
            catch (Exception e)
            {
                Fail(e, stop);
                (state, error) = Decide(cancelled: false);
            }
        }
        if (state == RunState.Succeeded && Volatile.Read(ref _sourcesCutShort) > 0)
        {
            state = RunState.Stopped;
        }
        if (state != RunState.Succeeded && !_coordinator.MustKeepPrepared)
        {
            await AbortSinksAsync();
        }
        await DisposeStagesAsync();

        var stages = _nodes.Select(n => n.Counters.Snapshot()).ToList();
        await _store.SaveStageCountsAsync(_run.Id, stages, CancellationToken.None);
        // Results count only when the final checkpoint was judged by them: a run that failed after evaluating them
        // (its commit failed) has no final checkpoint.
        var expectations = state is RunState.Succeeded or RunState.QualityGateFailed ? _expectations.Results : [];
        if (expectations.Count > 0)
        {
            await _store.SaveExpectationResultsAsync(_run.Id, expectations, CancellationToken.None);
        }
        var notes = Notes();
        notes.AddRange(await _lineage.EndAsync(state, error));
        if (notes.Count > 0)
        {
            await _store.SaveRunNotesAsync(_run.Id, notes, CancellationToken.None);
        }
        var totals = Totals();
        await _store.FinishRunAsync(_run.Id, state, totals, error, CancellationToken.None);
        SluiceMetrics.Ended(_run.Pipeline);
        SluiceTracing.EndRun(activity, state, error, totals.RecordsRead, totals.RecordsWritten, totals.DeadLettered);
        await _store.ReleaseLeaseAsync(_lease, CancellationToken.None);
        var finished = await _store.FindRunAsync(_run.Id, CancellationToken.None) ?? _run;
        var published = _nodes.Where(n => n.Sink is not null).SelectMany(n => n.Sink!.Published).ToList();
        return new RunOutcome(finished, stages, error, published)
        {
            Balances = SinkBalance.Of(stages, _coordinator.CommittedCounts),
            Checkpoints = _coordinator.Committed,
            CheckpointTime = _coordinator.TimeSpent,
            Expectations = expectations,
            Notes = notes,
            Failure = state == RunState.Failed ? _firstFailure : null,
        };
    }

    /// <summary>Files the sources skipped as already consumed, then the stages' warnings.</summary>
    private List<RunNote> Notes()
    {
        var notes = new List<RunNote>();
        foreach (var (node, context) in _nodes.Select(n => (n, _contexts[n])))
        {
            if (context.FilesSkipped is > 0 and var skipped)
            {
                notes.Add(new RunNote(node.Name, Warning: false,
                    $"{skipped:N0} input file{(skipped == 1 ? "" : "s")} already consumed, skipped (an earlier run read {(skipped == 1 ? "it" : "them")} to the end)"));
            }
        }
        notes.AddRange(_nodes.SelectMany(n => _contexts[n].Warnings.Select(w => new RunNote(n.Name, Warning: true, w))));
        return notes;
    }

    private void Fail(Exception e, CancellationTokenSource stop)
    {
        Interlocked.CompareExchange(ref _firstFailure, e, null);
        stop.Cancel();
    }

    private async Task WorkAsync(StageNode node, CancellationTokenSource stop)
    {
        var context = _contexts[node];
        bool ended = false;
        using var activity = SluiceTracing.StartStage(_run.Pipeline, node.Counters);
        Exception? failure = null;
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
            ended = true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped because another stage failed or the user cancelled; the run's state says which.
        }
        catch (Exception e)
        {
            failure = e;
            Interlocked.CompareExchange(ref _firstFailure, new StageFailedException(node.Name, e), null);
            await stop.CancelAsync();
        }
        finally
        {
            SluiceTracing.EndStage(activity, node.Counters, failure);
            // Only a stage that read its whole input may stand for later checkpoints; a failed one must not.
            foreach (var downstream in node.Downstream)
            {
                if (ended)
                {
                    _inputs[downstream].WriterFor(node).TryComplete();
                }
                else
                {
                    _inputs[downstream].WriterFor(node).TryComplete(new OperationCanceledException());
                }
            }
        }
    }

    private async Task RunSourceAsync(StageNode node, StageContext context, CancellationToken token)
    {
        var position = _resumeAt.GetValueOrDefault(node.Name);
        long barrier = _coordinator.LastCommittedBefore;
        var pacer = (node.Definition.Resilience ?? _resilience).RecordsPerSecond is { } perSecond ? new RatePacer(perSecond) : null;
        var started = Stopwatch.GetTimestamp();
        await foreach (var batch in node.Source!.ReadAsync(context, position, token).WithCancellation(token))
        {
            BatchDone(node, started, batch.Length);
            position = batch.Position ?? position;
            if (batch.Length > 0)
            {
                node.Counters.AddOut(batch.Length);
                await EmitAsync(node, Flow.Of(batch), token);
            }
            _coordinator.SourceBatchDone();
            while (true)
            {
                while (_coordinator.Requested > barrier)
                {
                    barrier++;
                    _coordinator.Passed(node, barrier, Handoff(node) with { Position = position });
                    await EmitAsync(node, Flow.BarrierOf(barrier), token);
                }
                if (_coordinator.MayReadOn(barrier, out var wait))
                {
                    break;
                }
                await wait.WaitAsync(token);
            }
            if (pacer is not null)
            {
                await pacer.WaitAsync(batch.Length, token); // the next read waits for this batch's share of time
            }
            if (_stopReading.IsCancellationRequested)
            {
                // Ending here is a clean end: all this source emitted drains and the final checkpoint keeps its
                // position; the file it was in is not recorded as consumed, so the next run goes on in it.
                Interlocked.Increment(ref _sourcesCutShort);
                break;
            }
            started = Stopwatch.GetTimestamp();
        }
        node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
        _coordinator.Ended(node, Handoff(node) with { Position = position });
    }

    private async Task RunConsumerAsync(StageNode node, StageContext context, CancellationToken token)
    {
        var input = _inputs[node];
        var statistics = _expectations.Statistics.GetValueOrDefault(node.Name);
        var outputs = new List<Batch>();
        // A stateful transform may have changed its state before failing, and a sink's write may have been half done:
        // neither is tried again unless it is safe.
        var policy = node.Definition.Resilience ?? _resilience;
        var resilience = node.Transform is IStatefulTransform || node.Sink is { WritesAreRetrySafe: false }
            ? ResiliencePipeline.Empty
            : StageResilience.Build(policy, node.Counters);
        var pacer = policy.RecordsPerSecond is { } perSecond ? new RatePacer(perSecond) : null;
        await using var bulkhead = node.Lanes.Count > 1
            ? new TransformBulkhead(node.Lanes, context, resilience, _meterTags[node], output =>
            {
                node.Counters.AddOut(output.Length);
                return EmitAsync(node, Flow.Of(output), token);
            }, token)
            : null;
        // A bulkhead isolates poison records per lane; without one the stage applies its transform here.
        var isolation = node.Transform is null || bulkhead is not null ? null : new PoisonIsolation(node.Transform, context);
        while (await (bulkhead is null ? input.ReadAsync(token) : bulkhead.ReadAsync(input, token)) is { } flow)
        {
            if (flow.Batch is not { } batch)
            {
                if (bulkhead is not null)
                {
                    await bulkhead.DrainAsync(); // no batch may overtake the barrier
                }
                await PassBarrierAsync(node, flow.Barrier, token);
                continue;
            }
            if (pacer is not null)
            {
                await pacer.WaitAsync(batch.Length, token);
            }
            node.Counters.AddIn(batch.Length);
            if (bulkhead is not null)
            {
                await bulkhead.StartAsync(batch);
                continue;
            }
            long started = Stopwatch.GetTimestamp();
            if (node.Sink is not null)
            {
                // A sink may refuse records it cannot store (a database sink: text with a NUL byte) by dead-lettering
                // them: those are not out. Only this worker letters this stage's records, so the difference is its own.
                long lettered = node.Counters.DeadLettered;
                await resilience.ExecuteAsync(static (s, ct) => s.Sink.WriteAsync(s.Batch, s.Context, ct), (node.Sink, Batch: batch, Context: context), token);
                statistics?.Observe(batch.Data);
                node.Counters.AddOut(batch.Length - (node.Counters.DeadLettered - lettered));
                BatchDone(node, started, batch.Length);
                continue;
            }
            await resilience.ExecuteAsync(static (s, _) =>
            {
                s.Isolation.Apply(s.Batch, s.Outputs);
                return ValueTask.CompletedTask;
            }, (Isolation: isolation!, Batch: batch, Outputs: outputs), token);
            BatchDone(node, started, batch.Length);
            foreach (var output in outputs)
            {
                node.Counters.AddOut(output.Length);
                await EmitAsync(node, Flow.Of(output), token);
            }
        }
        if (bulkhead is not null)
        {
            await bulkhead.DrainAsync();
        }
        // A sink that ended prepares when the coordinator needs it (its worker is done, so nothing races it).
        (node.Sink as PartFileSink)?.EndInput();
        _coordinator.Ended(node, Handoff(node) with { State = SaveState(node) });
    }

    /// <summary>The stage spent the time since <paramref name="started"/> on a batch of <paramref name="rows"/>: busy
    /// time, and a batch's duration unless it is empty (a following source's empty batch ends its wait for input).</summary>
    private void BatchDone(StageNode node, long started, int rows)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        node.Counters.AddBusy(elapsed);
        if (rows > 0)
        {
            SluiceMetrics.BatchDone(_meterTags[node], elapsed);
        }
    }

    /// <summary>Hands over what this stage has for checkpoint <paramref name="checkpoint"/> and passes the barrier
    /// on. A sink prepares first: its output up to the barrier becomes durable, still unpublished.</summary>
    private async Task PassBarrierAsync(StageNode node, long checkpoint, CancellationToken token)
    {
        if (node.Sink is not null)
        {
            long started = Stopwatch.GetTimestamp();
            var prepared = await node.Sink.PrepareAsync(token);
            node.Counters.AddBusy(Stopwatch.GetElapsedTime(started));
            _coordinator.Passed(node, checkpoint, Handoff(node) with { Prepared = prepared, State = SaveState(node) });
            return;
        }
        _coordinator.Passed(node, checkpoint, Handoff(node) with { State = SaveState(node) });
        await EmitAsync(node, Flow.BarrierOf(checkpoint), token);
    }

    /// <summary>A stateful transform's state, or a sink's column statistics; null for a stage without either.</summary>
    private byte[]? SaveState(StageNode node) =>
        (node.Transform as IStatefulTransform)?.SaveState() ?? _expectations.Statistics.GetValueOrDefault(node.Name)?.Save();

    private CheckpointCoordinator.Handoff Handoff(StageNode node) =>
        new(node.Counters.Snapshot(), _deadLetters[node].Take())
        {
            InputMarks = _contexts[node].TakeMarks(),
            ReplayedDeadLetters = _contexts[node].TakeReplayed(),
        };

    private async ValueTask EmitAsync(StageNode node, Flow flow, CancellationToken token)
    {
        foreach (var downstream in node.Downstream)
        {
            await _inputs[downstream].WriterFor(node).WriteAsync(flow, token);
        }
    }

    private (RunState, string?) Decide(bool cancelled)
    {
        if (_firstFailure is QualityGateException gate)
        {
            return (RunState.QualityGateFailed, gate.Message);
        }
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
        // Every stage balancing does not prove every record arrived where it was sent: each sink must balance too.
        foreach (var b in SinkBalance.Of(_nodes.Select(n => n.Counters.Snapshot()).ToList()).Where(b => !b.Balances))
        {
            return (RunState.Failed, $"internal error: sink '{b.Sink}' does not balance: in {b.In} ≠ out {b.Out} + dead {b.DeadLettered} + filtered {b.Filtered}");
        }
        return (RunState.Succeeded, null);
    }

    private RunTotals Totals() => CheckpointCoordinator.Totals(_nodes.Select(n => n.Counters.Snapshot()).ToList());

    /// <summary>Saves counts every few seconds so that <c>sluice runs</c> and <c>sluice show</c> see a run in progress.</summary>
    private async Task PeriodicSaveAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            await _store.SaveStageCountsAsync(_run.Id, _nodes.Select(n => n.Counters.Snapshot()).ToList(), CancellationToken.None);
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
                Volatile.Write(ref _lease, await _store.RenewLeaseAsync(_lease, _leaseDuration, CancellationToken.None));
            }
        }
        catch (LeaseLostException e)
        {
            Fail(e, stop);
        }
    }

    /// <summary>Often enough that a run growing by a gigabyte a second overshoots its limit by a tenth of it at most.</summary>
    private static readonly TimeSpan MemoryWatchInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Fails the run once the process holds more than <paramref name="limit"/> (its resident set): what the
    /// last checkpoint committed stands and the next run resumes from it, where going on could take the machine down.</summary>
    private async Task WatchMemoryAsync(PeriodicTimer timer, long limit, CancellationTokenSource stop)
    {
        while (await timer.WaitForNextTickAsync())
        {
            long held = Environment.WorkingSet;
            if (held > limit)
            {
                Fail(new MemoryLimitExceededException(limit, held), stop);
                return;
            }
        }
    }

    private async Task AbortSinksAsync()
    {
        foreach (var node in _nodes.Where(n => n.Sink is not null))
        {
            await node.Sink!.AbortAsync();
        }
    }

    private ValueTask DisposeStagesAsync() => PipelineBuilder.DisposeStagesAsync(_nodes);

    private static string OneLine(Exception e)
    {
        var message = e is StageFailedException or MemoryLimitExceededException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        return message.ReplaceLineEndings(" ");
    }
}
