using System.Collections.Concurrent;
using Sluice.DeadLetters;
using Sluice.Records;

namespace Sluice.Replay;

/// <summary>
/// How many times each record being replayed has failed, by its origin, so that a record dead-lettered again
/// carries one attempt more. The replay source adds letters as it reads them; any stage's dead-letter writer asks.
/// </summary>
internal sealed class ReplayAttempts
{
    private readonly ConcurrentDictionary<(string File, long Line, long ByteOffset), int> _attempts = new();

    public void Add(StoredDeadLetter letter) =>
        _attempts.AddOrUpdate((letter.File, letter.Line, letter.ByteOffset), letter.Attempts, (_, known) => Math.Max(known, letter.Attempts));

    /// <summary>The letter as the replay stores it: with one attempt more than the letter it replays.</summary>
    public DeadLetter Again(DeadLetter letter) =>
        _attempts.TryGetValue((letter.Origin.File, letter.Origin.Line, letter.Origin.ByteOffset), out int attempts)
            ? letter with { Attempts = attempts + 1 }
            : letter;
}
