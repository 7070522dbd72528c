using System.Diagnostics;
using Sluice.Observability;
using System.Threading.Channels;
using Sluice.DeadLetters;
using Sluice.Expectations;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// Decides when a run checkpoints and commits each checkpoint exactly once, in order (docs/exactly-once.md).
/// Sources ask <see cref="Requested"/> after every batch and pass a barrier when it is ahead of them; each stage
/// hands over what it has at the barrier (<see cref="Passed"/>): position, operator state, dead letters, counts,
/// and for a sink its prepared output. When every sink has prepared checkpoint <i>k</i>, one state-store
/// transaction commits <i>k</i>, then the sinks publish it. A stage whose input ended hands over once
/// (<see cref="Ended"/>) and stands for every later checkpoint: all its data precedes them.
/// </summary>
/// <remarks>Up to <see cref="MaxInFlight"/> checkpoints are in flight, but they commit one at a time and in order, each
/// published before the next is stored, so a crash can leave at most the newest stored checkpoint's output
/// unpublished (resuming publishes it again).</remarks>
internal sealed class CheckpointCoordinator
{
    /// <summary>Dead letters written since the last request that make the run checkpoint early, so they do not pile
    /// up in memory.</summary>
    internal const int DeadLettersPerCheckpoint = 16 * 1024;

    /// <summary>Checkpoints requested and not yet committed at most. Barriers queue behind the batches already in the
    /// channels (about 100,000 rows on a default pipeline), so with one at a time a short <c>every_records</c>
    /// could not be kept; the cost of one in flight is a barrier and what the stages hand over for it.</summary>
    internal const int MaxInFlight = 8;

    private readonly IReadOnlyList<StageNode> _nodes;
    private readonly IStateStore _store;
    private readonly string _runId;
    private readonly Func<Lease> _lease;
    private readonly PipelineDefinition _pipeline;
    private readonly ExpectationGate _expectations;
    private readonly Func<bool> _inputComplete;
    private readonly Action<StageNode, string> _warn;
    private readonly Dictionary<StageNode, string> _acknowledged = []; // each source's position last told committed
    private readonly Lock _lock = new();
    private readonly Dictionary<StageNode, StageLedger> _ledgers;
    private readonly StageCounters[] _sources; // read after every source batch: no query per call
    // Written by source threads (RequestLocked) and the commit loop: every access holds _lock, reads included — a
    // Dictionary read during another thread's insert may miss the key or loop forever while it resizes.
    private readonly Dictionary<long, (DateTimeOffset At, long Timestamp)> _requestTimes = [];
    private readonly Channel<long> _complete = Channel.CreateUnbounded<long>();
    private long _requested;   // highest checkpoint id requested
    private long _committed;   // highest checkpoint id committed (by this attempt, or the one resumed from)
    private long _enqueued;    // highest id handed to the commit loop
    private long _readAtLastRequest;
    private long _lastRequestTimestamp = Stopwatch.GetTimestamp();
    private long _deadLettersWritten;
    private long _deadLettersAtLastRequest;
    private long _deadLettersCommitted;
    private bool _lastCoveredEverything;
    private TaskCompletionSource _committedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="expectations">Evaluated before the checkpoint that covers the whole run commits.</param>
    /// <param name="inputComplete">False when the sources were stopped before their input ended: then a checkpoint
    /// covering every stage's end is not the run's last, and the expectations are not evaluated.</param>
    /// <param name="lastCommitted">The checkpoint a resumed run goes on from, with its counts; null for a new run.</param>
    /// <param name="warn">Notes a warning on a stage's run summary (a source that failed to act on a commit).</param>
    public CheckpointCoordinator(IReadOnlyList<StageNode> nodes, IStateStore store, string runId, PipelineDefinition pipeline,
        Func<Lease> lease, CheckpointRecord? lastCommitted, ExpectationGate expectations, Func<bool> inputComplete,
        Action<StageNode, string> warn)
    {
        _warn = warn;
        _expectations = expectations;
        _inputComplete = inputComplete;
        _nodes = nodes;
        _store = store;
        _runId = runId;
        _pipeline = pipeline;
        _lease = lease;
        _requested = _committed = _enqueued = LastCommittedBefore = lastCommitted?.Id ?? 0;
        CommittedCounts = lastCommitted?.Counts;
        _ledgers = nodes.ToDictionary(n => n, _ => new StageLedger());
        _sources = nodes.Where(n => n.Kind == StageKind.Source).Select(n => n.Counters).ToArray();
        _readAtLastRequest = RecordsRead();
    }

    /// <summary>The checkpoint a resumed run goes on from (0 for a new run): the barrier every source starts after.</summary>
    public long LastCommittedBefore { get; }

    /// <summary>The newest checkpoint id requested; a source passes every barrier up to it after its current batch.</summary>
    public long Requested => Volatile.Read(ref _requested);

    /// <summary>The stage counts of the run's last committed checkpoint (of this attempt or the one resumed from):
    /// what its sinks have published. Null while none is.</summary>
    public IReadOnlyList<StageCounts>? CommittedCounts { get; private set; }

    /// <summary>Checkpoints committed by this run attempt (the final one included).</summary>
    public int Committed { get; private set; }

    /// <summary>Time the coordinator spent committing checkpoints (building each, the store transaction, the sinks'
    /// commits), summed: checkpoints in flight overlap, so their request-to-publish latencies would add up to more
    /// than the run. The sinks' prepares count in their busy time.</summary>
    public TimeSpan TimeSpent { get; private set; }

    /// <summary>True after a checkpoint was committed in the store but a sink failed to publish it: its prepared
    /// files must stay for the next run to publish, so the run must not abort its sinks.</summary>
    public bool MustKeepPrepared { get; private set; }

    /// <summary>Records read since the last request; requests one when the pipeline's interval is reached.</summary>
    public void SourceBatchDone()
    {
        long every = _pipeline.Checkpoint.EveryRecords;
        if (every > 0 && RecordsRead() - Volatile.Read(ref _readAtLastRequest) >= every)
        {
            Request();
        }
    }

    /// <summary>Called for every dead letter a stage writes.</summary>
    public void DeadLetterWritten()
    {
        if (Interlocked.Increment(ref _deadLettersWritten) - Volatile.Read(ref _deadLettersAtLastRequest) >= DeadLettersPerCheckpoint)
        {
            Request();
        }
    }

    /// <summary>Whether a source that passed barrier <paramref name="passed"/> may read on. Not while far more dead
    /// letters wait than a checkpoint takes (checkpoints are slower than the flood): then a checkpoint is requested
    /// if one may be, and the source must first pass the barriers it owes (false with a completed wait) or, owing
    /// none, wait for the next commit. Keeps memory bounded without ever waiting on a barrier the source owes.</summary>
    public bool MayReadOn(long passed, out Task wait)
    {
        wait = Task.CompletedTask;
        if (Volatile.Read(ref _deadLettersWritten) - Volatile.Read(ref _deadLettersCommitted) < 2 * DeadLettersPerCheckpoint)
        {
            return true;
        }
        lock (_lock)
        {
            RequestLocked();
            if (_requested == passed)
            {
                wait = _committedSignal.Task;
            }
            return false;
        }
    }

    /// <summary>Requests checkpoints every <c>every_seconds</c> until the timer is disposed.</summary>
    public async Task TimerAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            var since = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRequestTimestamp));
            if (since.TotalSeconds >= _pipeline.Checkpoint.EverySeconds)
            {
                Request();
            }
        }
    }

    private void Request()
    {
        lock (_lock)
        {
            RequestLocked();
        }
    }

    private void RequestLocked()
    {
        if (_requested - _committed >= MaxInFlight)
        {
            return; // the trigger still holds at the next batch
        }
        long now = Stopwatch.GetTimestamp();
        _requestTimes[_requested + 1] = (DateTimeOffset.UtcNow, now);
        Volatile.Write(ref _readAtLastRequest, RecordsRead());
        Volatile.Write(ref _lastRequestTimestamp, now);
        Volatile.Write(ref _deadLettersAtLastRequest, Volatile.Read(ref _deadLettersWritten));
        Volatile.Write(ref _requested, _requested + 1);
        EnqueueIfComplete();
    }

    /// <summary>A stage passed barrier <paramref name="checkpoint"/>: what it hands over belongs to that checkpoint.</summary>
    public void Passed(StageNode node, long checkpoint, Handoff handoff)
    {
        lock (_lock)
        {
            if (checkpoint <= _committed || checkpoint > _requested)
            {
                throw new InvalidOperationException($"internal error: stage '{node.Name}' passed barrier {checkpoint}, but checkpoints {_committed + 1}-{_requested} are the ones in flight");
            }
            _ledgers[node].AtBarrier[checkpoint] = handoff;
            EnqueueIfComplete();
        }
    }

    /// <summary>A stage read its whole input and is done: what it hands over belongs to the next checkpoint, and the
    /// stage counts as having passed every later barrier.</summary>
    public void Ended(StageNode node, Handoff handoff)
    {
        lock (_lock)
        {
            _ledgers[node].End = handoff;
            EnqueueIfComplete();
        }
    }

    /// <summary>Hands the commit loop, in order, every requested checkpoint that every stage has handed over for.</summary>
    private void EnqueueIfComplete()
    {
        while (_enqueued < _requested && _nodes.All(n => _ledgers[n].Covers(_enqueued + 1)))
        {
            _enqueued++;
            _complete.Writer.TryWrite(_enqueued);
        }
    }

    /// <summary>Commits checkpoints as they complete, until <see cref="StopCommitting"/>. A failure or a broken quality
    /// gate is handed to <paramref name="stop"/> and ends the loop.</summary>
    public async Task CommitLoopAsync(Action<Exception> stop)
    {
        await foreach (long id in _complete.Reader.ReadAllAsync())
        {
            try
            {
                await CommitAsync(id);
            }
            catch (Exception e)
            {
                stop(e);
                return;
            }
        }
    }

    /// <summary>Ends the commit loop once the checkpoint it may be committing is done.</summary>
    public void StopCommitting() => _complete.Writer.TryComplete();

    /// <summary>After every stage ended cleanly (so every checkpoint in flight was committed): commits what came
    /// after the last checkpoint, unless that one already covered the whole run.</summary>
    /// <exception cref="QualityGateException">The run's totals break the quality gate, or an expectation with
    /// <c>on_fail: fail</c> is not met; nothing was committed.</exception>
    public async Task CommitFinalAsync()
    {
        long id;
        lock (_lock)
        {
            if (_committed != _requested)
            {
                throw new InvalidOperationException($"internal error: checkpoints {_committed + 1}-{_requested} are still in flight at the end of the run");
            }
            if (_lastCoveredEverything && Committed > 0)
            {
                return;
            }
            id = _enqueued = ++_requested;
            _requestTimes[id] = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        }
        await CommitAsync(id);
    }

    /// <summary>Tells each source whose position moved that its records up to there are committed
    /// (<see cref="ISource.CommittedAsync"/>). Its output is published whatever the source does with it, so a
    /// failure is a warning, not a failed run.</summary>
    private async Task TellSourcesAsync(long id, IReadOnlyDictionary<string, string> positions)
    {
        foreach (var node in _nodes.Where(n => n.Source is not null))
        {
            if (!positions.TryGetValue(node.Name, out var position) || _acknowledged.GetValueOrDefault(node) == position)
            {
                continue;
            }
            try
            {
                await node.Source!.CommittedAsync(new SourcePosition(position), CancellationToken.None);
                _acknowledged[node] = position;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _warn(node, $"could not act on committed checkpoint {id} ({e.Message}); the next checkpoint or run covers it");
            }
        }
    }

    private async Task CommitAsync(long id)
    {
        using var activity = SluiceTracing.StartCheckpoint(_pipeline.Name, id);
        long started = Stopwatch.GetTimestamp();
        var (checkpoint, deadLetters, prepared, coversEverything) = await CollectAsync(id);
        var totals = Totals(checkpoint.Counts);
        if (QualityGate.Check(_pipeline.DeadLetter, totals) is { } breach)
        {
            throw new QualityGateException(breach);
        }
        // Every stage ended (all sinks hold their final statistics) and the input was not cut short: this checkpoint
        // is the run's last, whether the commit loop or CommitFinalAsync commits it.
        if (coversEverything && !_expectations.IsEmpty && _inputComplete() && _expectations.Evaluate(totals) is { } failed)
        {
            throw new QualityGateException(failed);
        }
        CrashPoints.Hit(CrashPoints.AfterPrepare, id);
        await _store.CommitCheckpointAsync(_lease(), checkpoint, deadLetters, CancellationToken.None);
        // Committed is published: were a sink to fail to publish it now, the next run publishes it before anything else.
        CommittedCounts = checkpoint.Counts;
        CrashPoints.Hit(CrashPoints.AfterStoreCommit, id);
        CrashPoints.Committing.Value = id;
        try
        {
            foreach (var (sink, output) in prepared)
            {
                await sink.Sink!.CommitAsync(output.Token, CancellationToken.None);
            }
        }
        catch
        {
            MustKeepPrepared = true;
            throw;
        }
        CrashPoints.Hit(CrashPoints.BeforeSourceAck, id);
        await TellSourcesAsync(id, checkpoint.SourcePositions);
        lock (_lock)
        {
            _committed = id;
            Committed++;
            var took = Stopwatch.GetElapsedTime(started);
            TimeSpent += took;
            SluiceMetrics.CheckpointCommitted(_pipeline.Name, took);
            _requestTimes.Remove(id);
            Interlocked.Add(ref _deadLettersCommitted, deadLetters.Count);
            _committedSignal.TrySetResult();
            _committedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Builds checkpoint <paramref name="id"/> from what every stage handed over for it. Sinks that ended
    /// prepare now (their workers are done, so nothing writes to them meanwhile).</summary>
    private async Task<(CheckpointRecord, List<DeadLetter>, List<(StageNode, PreparedOutput)>, bool AllEnded)> CollectAsync(long id)
    {
        var handoffs = new Dictionary<StageNode, Handoff>();
        bool allEnded = true;
        DateTimeOffset requestedAt;
        long requestedTimestamp;
        lock (_lock)
        {
            foreach (var node in _nodes)
            {
                (handoffs[node], bool atEnd) = _ledgers[node].TakeFor(id);
                allEnded &= atEnd;
            }
            _lastCoveredEverything = allEnded;
            (requestedAt, requestedTimestamp) = _requestTimes[id];
        }
        var positions = new Dictionary<string, string>();
        var state = new Dictionary<string, byte[]>();
        var tokens = new Dictionary<string, string>();
        var files = new List<CommittedFile>();
        var prepared = new List<(StageNode, PreparedOutput)>();
        var deadLetters = new List<DeadLetter>();
        var marks = new List<InputMark>();
        var replayed = new List<long>();
        foreach (var node in _nodes)
        {
            var handoff = handoffs[node];
            deadLetters.AddRange(handoff.DeadLetters);
            marks.AddRange(handoff.InputMarks);
            replayed.AddRange(handoff.ReplayedDeadLetters);
            if (handoff.Position is { } position)
            {
                positions[node.Name] = position.Value;
            }
            if (handoff.State is { } bytes)
            {
                state[node.Name] = bytes;
            }
            if (node.Sink is not null)
            {
                var output = handoff.Prepared ?? await node.Sink.PrepareAsync(CancellationToken.None);
                tokens[node.Name] = output.Token;
                files.AddRange(output.Files.Select(f => new CommittedFile(node.Name, f)));
                prepared.Add((node, output));
            }
        }
        var counts = _nodes.Select(n => handoffs[n].Counts).ToList();
        var checkpoint = new CheckpointRecord(_runId, id, requestedAt, Stopwatch.GetElapsedTime(requestedTimestamp),
            counts.Where(c => c.Kind == StageKind.Sink).Sum(c => c.Out), positions, state, tokens, counts, files, marks)
        {
            ReplayedDeadLetters = replayed,
        };
        return (checkpoint, deadLetters, prepared, allEnded);
    }

    private long RecordsRead()
    {
        long read = 0;
        foreach (var source in _sources)
        {
            read += source.In;
        }
        return read;
    }

    internal static RunTotals Totals(IReadOnlyList<StageCounts> counts) => new(
        counts.Where(c => c.Kind == StageKind.Source).Sum(c => c.In),
        counts.Where(c => c.Kind == StageKind.Sink).Sum(c => c.Out),
        counts.Sum(c => c.Filtered),
        counts.Sum(c => c.DeadLettered));

    /// <summary>What one stage handed over at a barrier or at its end.</summary>
    internal sealed record Handoff(StageCounts Counts, List<DeadLetter> DeadLetters)
    {
        public SourcePosition? Position { get; init; }
        public byte[]? State { get; init; }
        public PreparedOutput? Prepared { get; init; }
        public List<InputMark> InputMarks { get; init; } = [];
        public List<long> ReplayedDeadLetters { get; init; } = [];
    }

    /// <summary>A stage's handoffs not yet committed.</summary>
    private sealed class StageLedger
    {
        public Dictionary<long, Handoff> AtBarrier { get; } = [];
        public Handoff? End { get; set; }

        public bool Covers(long checkpoint) => End is not null || AtBarrier.ContainsKey(checkpoint);

        /// <summary>The handoff for <paramref name="checkpoint"/>, and whether it is the end one. The end handoff
        /// serves every later checkpoint, but its dead letters and input marks only the first.</summary>
        public (Handoff, bool AtEnd) TakeFor(long checkpoint)
        {
            if (AtBarrier.Remove(checkpoint, out var handoff))
            {
                return (handoff, false);
            }
            var end = End ?? throw new InvalidOperationException($"checkpoint {checkpoint} is not complete");
            End = end with { DeadLetters = [], InputMarks = [], ReplayedDeadLetters = [] };
            return (end, true);
        }
    }
}

/// <summary>The run's dead letters broke the pipeline's quality gate at a checkpoint, or its final checkpoint did not
/// meet an expectation.</summary>
internal sealed class QualityGateException(string message) : Exception(message);
