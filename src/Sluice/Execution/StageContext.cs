using Sluice.DeadLetters;
using Sluice.Records;

namespace Sluice.Execution;

/// <summary>What a running stage may use besides its input: its counters and the dead-letter queue.</summary>
public sealed class StageContext
{
    private readonly IDeadLetterWriter _deadLetters;

    public StageContext(string stage, StageCounters counters, IDeadLetterWriter deadLetters)
    {
        Stage = stage;
        Counters = counters;
        _deadLetters = deadLetters;
    }

    public string Stage { get; }

    public StageCounters Counters { get; }

    /// <summary>Dead-letters one record and counts it against this stage.</summary>
    public void DeadLetter(RowOrigin origin, DeadLetterReason reason, string? field, string? rule, string message)
    {
        _deadLetters.Write(new DeadLetter(Stage, origin, reason, field, rule, message));
        Counters.AddDeadLettered(1);
    }

    /// <summary>Counts records a source read (including the ones it dead-lettered).</summary>
    public void RecordsRead(long n) => Counters.AddIn(n);

    /// <summary>Counts records a transform dropped on purpose (a filter, a duplicate).</summary>
    public void RecordsFiltered(long n) => Counters.AddFiltered(n);
}
