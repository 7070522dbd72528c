using Sluice.Execution;
namespace Sluice.Extensibility;

/// <summary>
/// Live per-stage counts, updated by the stage's worker and read by progress displays from other threads.
/// Every stage must end with <c>In == Out + DeadLettered + Filtered</c>; the runner checks it.
/// </summary>
public sealed class StageCounters
{
    private long _in, _out, _filtered, _deadLettered, _busyTicks, _retries, _timeouts, _circuitOpenings, _circuitClosings;
    private int _circuitOpen;

    /// <param name="inputs">The stages this one reads from (empty for a source): kept with the counts so that each
    /// sink can be reconciled along its paths.</param>
    public StageCounters(string stage, StageKind kind, IReadOnlyList<string>? inputs = null)
    {
        Stage = stage;
        Kind = kind;
        Inputs = inputs ?? [];
    }

    public string Stage { get; }
    public StageKind Kind { get; }

    /// <summary>The stages this one reads from; empty for a source.</summary>
    public IReadOnlyList<string> Inputs { get; }

    public long In => Volatile.Read(ref _in);
    public long Out => Volatile.Read(ref _out);
    public long Filtered => Volatile.Read(ref _filtered);
    public long DeadLettered => Volatile.Read(ref _deadLettered);

    /// <summary>Time the stage spent doing work (not waiting on its channels).</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Volatile.Read(ref _busyTicks));

    public bool Balances => In == Out + DeadLettered + Filtered;

    /// <summary>Tries of a batch repeated after a transient failure.</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Tries cut off by the stage's timeout.</summary>
    public long Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Times the stage's circuit breaker opened, and closed again (recovered).</summary>
    public long CircuitOpenings => Volatile.Read(ref _circuitOpenings);

    /// <inheritdoc cref="CircuitOpenings"/>
    public long CircuitClosings => Volatile.Read(ref _circuitClosings);

    /// <summary>Whether the circuit is open now: the stage is waiting out failures and its upstream backs up.</summary>
    public bool CircuitOpen => Volatile.Read(ref _circuitOpen) == 1;

    /// <summary>Starts from the counts a resumed run had at its last checkpoint.</summary>
    internal void Restore(StageCounts counts)
    {
        _in = counts.In;
        _out = counts.Out;
        _filtered = counts.Filtered;
        _deadLettered = counts.DeadLettered;
        _busyTicks = counts.Busy.Ticks;
        _retries = counts.Retries;
        _timeouts = counts.Timeouts;
        _circuitOpenings = counts.CircuitOpenings;
        _circuitClosings = counts.CircuitClosings;
    }

    /// <summary>Back to zero: for scratch counters reused between attempts.</summary>
    internal void Reset() => _in = _out = _filtered = _deadLettered = _busyTicks = _retries = _timeouts = _circuitOpenings = _circuitClosings = 0;

    internal StageCounts Snapshot() => new(Stage, Kind, In, Out, Filtered, DeadLettered, Busy)
    {
        Inputs = Inputs,
        Retries = Retries,
        Timeouts = Timeouts,
        CircuitOpenings = CircuitOpenings,
        CircuitClosings = CircuitClosings,
    };

    internal void AddRetry() => Interlocked.Increment(ref _retries);
    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);

    internal void SetCircuitOpen(bool open)
    {
        Interlocked.Increment(ref open ? ref _circuitOpenings : ref _circuitClosings);
        Volatile.Write(ref _circuitOpen, open ? 1 : 0);
    }

    internal void AddIn(long n) => Interlocked.Add(ref _in, n);
    internal void AddOut(long n) => Interlocked.Add(ref _out, n);
    internal void AddFiltered(long n) => Interlocked.Add(ref _filtered, n);
    internal void AddDeadLettered(long n) => Interlocked.Add(ref _deadLettered, n);
    internal void AddBusy(TimeSpan t) => Interlocked.Add(ref _busyTicks, t.Ticks);
}
