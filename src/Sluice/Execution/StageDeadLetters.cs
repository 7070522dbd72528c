using Sluice.State;
using Sluice.DeadLetters;

namespace Sluice.Execution;

/// <summary>
/// The dead letters one stage made since it last passed a checkpoint barrier. They are stored with the checkpoint
/// that barrier closes, in the same transaction as the source positions, so a record is never both dead-lettered
/// and re-read after a crash (nor neither).
/// </summary>
internal sealed class StageDeadLetters(Action written) : IDeadLetterWriter
{
    private readonly Lock _lock = new();
    private List<DeadLetter> _letters = [];

    public void Write(DeadLetter deadLetter)
    {
        lock (_lock)
        {
            _letters.Add(deadLetter);
        }
        written();
    }

    /// <summary>The letters written so far; later ones start a new list.</summary>
    public List<DeadLetter> Take()
    {
        lock (_lock)
        {
            var taken = _letters;
            _letters = [];
            return taken;
        }
    }
}
