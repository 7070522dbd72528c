using System.Diagnostics;
using System.Threading.Channels;
using Sluice.DeadLetters;
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
/// <remarks>One checkpoint is in flight at a time: the next is requested only after the last one committed, so a
/// crash can leave at most the newest checkpoint's output unpublished (resuming publishes it again).</remarks>
internal sealed class CheckpointCoordinator
{
    /// <summary>Dead letters waiting in stages that make the run checkpoint early, so they do not pile up in memory.</summary>
    internal const int DeadLettersPerCheckpoint = 32 * 1024;

    private readonly IReadOnlyList<StageNode> _nodes;
    private readonly IStateStore _store;
    private readonly string _runId;
    private readonly Func<Lease> _lease;
    private readonly PipelineDefinition _pipeline;
    private readonly Lock _lock = new();
    private readonly Dictionary<StageNode, StageLedger> _ledgers;
    private readonly Channel<long> _complete = Channel.CreateUnbounded<long>();
    private long _requested;        // highest checkpoint id requested
    private bool _inFlight;          // _requested is not committed yet
    private long _enqueued;          // highest id handed to the commit loop
    private DateTimeOffset _requestedAt;
    private long _requestedTimestamp;
    private long _readAtLastCheckpoint;
    private long _lastCheckpointTimestamp = Stopwatch.GetTimestamp();
    private int _pendingDeadLetters;
    private bool _lastCoveredEverything;
    private TaskCompletionSource _committedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CheckpointCoordinator(IReadOnlyList<StageNode> nodes, IStateStore store, string runId, PipelineDefinition pipeline,
        Func<Lease> lease, long lastCommitted)
    {
        _nodes = nodes;
        _store = store;
        _runId = runId;
        _pipeline = pipeline;
        _lease = lease;
        _requested = lastCommitted;
        LastCommittedBefore = lastCommitted;
        _ledgers = nodes.ToDictionary(n => n, _ => new StageLedger());
        _readAtLastCheckpoint = RecordsRead();
    }

    /// <summary>The checkpoint a resumed run goes on from (0 for a new run): the barrier every source starts after.</summary>
    public long LastCommittedBefore { get; }

    /// <summary>The newest checkpoint id requested; a source passes a barrier when this is ahead of its last one.</summary>
    public long Requested => Volatile.Read(ref _requested);

    /// <summary>Checkpoints committed by this run attempt (the final one included).</summary>
    public int Committed { get; private set; }

    /// <summary>Time from requesting to publishing, summed over the committed checkpoints.</summary>
    public TimeSpan TimeSpent { get; private set; }

    /// <summary>True after a checkpoint was committed in the store but a sink failed to publish it: its prepared
    /// files must stay for the next run to publish, so the run must not abort its sinks.</summary>
    public bool MustKeepPrepared { get; private set; }

    /// <summary>Records read since the last checkpoint; requests one when the pipeline's interval is reached.</summary>
    public void SourceBatchDone()
    {
        long every = _pipeline.Checkpoint.EveryRecords;
        if (every > 0 && RecordsRead() - Volatile.Read(ref _readAtLastCheckpoint) >= every)
        {
            Request();
        }
    }

    /// <summary>Called for every dead letter a stage writes.</summary>
    public void DeadLetterWritten()
    {
        if (Interlocked.Increment(ref _pendingDeadLetters) >= DeadLettersPerCheckpoint)
        {
            Request();
        }
    }

    /// <summary>Whether a source that passed barrier <paramref name="passed"/> may read on. Not while far more dead
    /// letters wait than a checkpoint takes (a checkpoint is slower than the flood): then a checkpoint is requested
    /// if none is in flight, and the source must first pass its barrier (false with a completed wait) or, having
    /// passed it, wait for it to commit. Keeps memory bounded without ever waiting on a barrier the source owes.</summary>
    public bool MayReadOn(long passed, out Task wait)
    {
        wait = Task.CompletedTask;
        if (Volatile.Read(ref _pendingDeadLetters) < 4 * DeadLettersPerCheckpoint)
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
            var since = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCheckpointTimestamp));
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
        if (_inFlight)
        {
            return;
        }
        _inFlight = true;
        _requestedAt = DateTimeOffset.UtcNow;
        _requestedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _requested, _requested + 1);
        EnqueueIfComplete();
    }

    /// <summary>A stage passed barrier <paramref name="checkpoint"/>: what it hands over belongs to that checkpoint.</summary>
    public void Passed(StageNode node, long checkpoint, Handoff handoff)
    {
        lock (_lock)
        {
            if (checkpoint != _requested || !_inFlight)
            {
                throw new InvalidOperationException($"internal error: stage '{node.Name}' passed barrier {checkpoint}, but checkpoint {_requested} is the one {(_inFlight ? "in flight" : "last committed")}");
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

    private void EnqueueIfComplete()
    {
        if (_inFlight && _enqueued < _requested && _nodes.All(n => _ledgers[n].Covers(_requested)))
        {
            _enqueued = _requested;
            _complete.Writer.TryWrite(_requested);
        }
    }

    /// <summary>Commits checkpoints as they complete, until <see cref="StopAsync"/>. A failure or a broken quality
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

    /// <summary>After every stage ended cleanly: commits what came after the last checkpoint, unless that one
    /// already covered the whole run.</summary>
    /// <exception cref="QualityGateException">The run's totals break the quality gate; nothing was committed.</exception>
    public async Task CommitFinalAsync()
    {
        long id;
        lock (_lock)
        {
            if (_lastCoveredEverything && Committed > 0)
            {
                return;
            }
            if (!_inFlight)
            {
                _inFlight = true;
                _enqueued = _requested + 1;
                _requestedAt = DateTimeOffset.UtcNow;
                _requestedTimestamp = Stopwatch.GetTimestamp();
                _requested++;
            }
            id = _requested;
        }
        await CommitAsync(id);
    }

    private async Task CommitAsync(long id)
    {
        var (checkpoint, deadLetters, prepared) = await CollectAsync(id);
        if (QualityGate.Check(_pipeline.DeadLetter, Totals(checkpoint.Counts)) is { } breach)
        {
            throw new QualityGateException(breach);
        }
        CrashPoints.Hit(CrashPoints.AfterPrepare, id);
        await _store.CommitCheckpointAsync(_lease(), checkpoint, deadLetters, CancellationToken.None);
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
        lock (_lock)
        {
            Committed++;
            TimeSpent += Stopwatch.GetElapsedTime(_requestedTimestamp);
            Interlocked.Add(ref _pendingDeadLetters, -deadLetters.Count);
            Volatile.Write(ref _readAtLastCheckpoint, Totals(checkpoint.Counts).RecordsRead);
            Volatile.Write(ref _lastCheckpointTimestamp, Stopwatch.GetTimestamp());
            _inFlight = false;
            _committedSignal.TrySetResult();
            _committedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Builds checkpoint <paramref name="id"/> from what every stage handed over for it. Sinks that ended
    /// prepare now (their workers are done, so nothing writes to them meanwhile).</summary>
    private async Task<(CheckpointRecord, List<DeadLetter>, List<(StageNode, PreparedOutput)>)> CollectAsync(long id)
    {
        var handoffs = new Dictionary<StageNode, Handoff>();
        lock (_lock)
        {
            bool allEnded = true;
            foreach (var node in _nodes)
            {
                (handoffs[node], bool atEnd) = _ledgers[node].TakeFor(id);
                allEnded &= atEnd;
            }
            _lastCoveredEverything = allEnded;
        }
        var positions = new Dictionary<string, string>();
        var state = new Dictionary<string, byte[]>();
        var tokens = new Dictionary<string, string>();
        var files = new List<CommittedFile>();
        var prepared = new List<(StageNode, PreparedOutput)>();
        var deadLetters = new List<DeadLetter>();
        var consumed = new List<ConsumedFile>();
        foreach (var node in _nodes)
        {
            var handoff = handoffs[node];
            deadLetters.AddRange(handoff.DeadLetters);
            consumed.AddRange(handoff.ConsumedFiles);
            if (handoff.Position is { } position)
            {
                positions[node.Name] = SourcePositionJson.Write(position);
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
        var checkpoint = new CheckpointRecord(_runId, id, _requestedAt, Stopwatch.GetElapsedTime(_requestedTimestamp),
            counts.Where(c => c.Kind == StageKind.Sink).Sum(c => c.Out), positions, state, tokens, counts, files, consumed);
        return (checkpoint, deadLetters, prepared);
    }

    private long RecordsRead() => _nodes.Where(n => n.Kind == StageKind.Source).Sum(n => n.Counters.In);

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
        public List<ConsumedFile> ConsumedFiles { get; init; } = [];
    }

    /// <summary>A stage's handoffs not yet committed.</summary>
    private sealed class StageLedger
    {
        public Dictionary<long, Handoff> AtBarrier { get; } = [];
        public Handoff? End { get; set; }

        public bool Covers(long checkpoint) => End is not null || AtBarrier.ContainsKey(checkpoint);

        /// <summary>The handoff for <paramref name="checkpoint"/>, and whether it is the end one. The end handoff
        /// serves every later checkpoint, but its dead letters and consumed files only the first.</summary>
        public (Handoff, bool AtEnd) TakeFor(long checkpoint)
        {
            if (AtBarrier.Remove(checkpoint, out var handoff))
            {
                return (handoff, false);
            }
            var end = End ?? throw new InvalidOperationException($"checkpoint {checkpoint} is not complete");
            End = end with { DeadLetters = [], ConsumedFiles = [] };
            return (end, true);
        }
    }
}

/// <summary>The run's dead letters broke the pipeline's quality gate at a checkpoint.</summary>
internal sealed class QualityGateException(string message) : Exception(message);
