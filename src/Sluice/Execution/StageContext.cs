using Sluice.Connectors;
using Sluice.Connectors.Files;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Extensibility;

/// <summary>What a running stage may use besides its input: its counters, the dead-letter queue and, for a file
/// source, which files the pipeline has already consumed.</summary>
public sealed class StageContext
{
    private readonly IDeadLetterWriter _deadLetters;
    private readonly ConsumedFileSet _consumed;
    private readonly Lock _handoffLock = new();
    private List<InputMark> _marks = [];
    private List<long> _replayed = [];
    private List<string> _warnings = [];
    private int _filesSkipped;

    internal StageContext(string stage, StageCounters counters, IDeadLetterWriter deadLetters)
        : this(stage, counters, deadLetters, ConsumedFileSet.Empty)
    {
    }

    internal StageContext(string stage, StageCounters counters, IDeadLetterWriter deadLetters, ConsumedFileSet consumed)
    {
        Stage = stage;
        Counters = counters;
        ResilienceCounters = counters;
        _deadLetters = deadLetters;
        _consumed = consumed;
    }

    public string Stage { get; }

    public StageCounters Counters { get; }

    /// <summary>Where a resilience pipeline built inside the stage counts its retries, timeouts and circuit changes.
    /// The stage's own counters, also when a transform is applied through a scratch context (poison isolation):
    /// a retry happened whether or not the attempt it belonged to is kept.</summary>
    internal StageCounters ResilienceCounters { get; init; }

    /// <summary>Dead-letters one record and counts it against this stage.</summary>
    public void DeadLetter(RowOrigin origin, DeadLetterReason reason, string? field, string? rule, string message)
    {
        _deadLetters.Write(new DeadLetter(Stage, origin, reason, field, rule, message));
        Counters.AddDeadLettered(1);
    }

    /// <summary>Dead-letters a record another context already described (a kept attempt's letters).</summary>
    internal void DeadLetter(DeadLetter deadLetter)
    {
        _deadLetters.Write(deadLetter);
        Counters.AddDeadLettered(1);
    }

    /// <summary>Counts records a source read (including the ones it dead-lettered).</summary>
    public void RecordsRead(long n) => Counters.AddIn(n);

    /// <summary>What a file source does with <paramref name="path"/>, by what the committed checkpoints of this
    /// pipeline recorded of it: read it, skip it, read on where it ended, or treat it as changed.</summary>
    internal ConsumedCheck CheckConsumed(string path, bool canGrow) => _consumed.Check(path, canGrow);

    /// <summary>A file source read <paramref name="path"/> to <paramref name="end"/> (after emitting its last batch;
    /// null when where it ends is unknown): the next checkpoint records it, so later runs skip it or read on.</summary>
    internal void FileConsumed(string path, Connectors.Files.FilePosition? end, bool canGrow) => Add(ref _marks, ConsumedFileSet.Identify(path, end, canGrow).ToMark());

    /// <summary>A file source skipped a file a committed checkpoint recorded as consumed.</summary>
    internal void FileSkipped() => Interlocked.Increment(ref _filesSkipped);

    /// <summary>Files skipped as already consumed, for the run summary.</summary>
    public int FilesSkipped => Volatile.Read(ref _filesSkipped);

    /// <summary>Something the user must hear of that does not stop the run (a changed input file): printed in the run
    /// summary and kept with the run for <c>sluice show</c>.</summary>
    internal void Warn(string message) => Add(ref _warnings, message);

    /// <summary>The warnings so far.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_handoffLock)
            {
                return [.. _warnings];
            }
        }
    }

    /// <summary>The files finished since the last call.</summary>
    internal List<InputMark> TakeMarks() => Take(ref _marks);

    /// <summary>A replay source emitted (or dead-lettered again) the record of dead letter <paramref name="id"/>:
    /// the next checkpoint deletes that letter.</summary>
    internal void DeadLetterReplayed(long id) => Add(ref _replayed, id);

    /// <summary>The dead letters replayed since the last call.</summary>
    internal List<long> TakeReplayed() => Take(ref _replayed);

    // A source adds on its worker while the checkpoint takes on the coordinator's: one lock guards both lists, and
    // the field is read under it (by ref), so an item never lands in a list already taken.
    private void Add<T>(ref List<T> list, T item)
    {
        lock (_handoffLock)
        {
            list.Add(item);
        }
    }

    private List<T> Take<T>(ref List<T> list)
    {
        lock (_handoffLock)
        {
            var taken = list;
            list = [];
            return taken;
        }
    }

    /// <summary>Counts records a transform dropped on purpose (a filter, a duplicate).</summary>
    public void RecordsFiltered(long n) => Counters.AddFiltered(n);
}
