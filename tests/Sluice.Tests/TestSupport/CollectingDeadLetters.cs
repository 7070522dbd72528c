using Sluice.State;
using System.Collections.Concurrent;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice.Tests.TestSupport;

/// <summary>Keeps dead letters in memory so a test can assert on them.</summary>
public sealed class CollectingDeadLetters : IDeadLetterWriter
{
    private readonly ConcurrentQueue<DeadLetter> _letters = new();

    public IReadOnlyList<DeadLetter> Letters => _letters.ToList();

    public void Write(DeadLetter deadLetter) => _letters.Enqueue(deadLetter);

    /// <summary>A stage context whose dead letters land here.</summary>
    public StageContext Context(string stage = "test", StageKind kind = StageKind.Transform) =>
        new(stage, new StageCounters(stage, kind), this);
}
