using Sluice.DeadLetters;
using Sluice.Records;

namespace Sluice.Replay;

/// <summary>Dead letters of one file as the original rows of a replayed batch: their stored file, line, offset and
/// bytes and attempts, so a record that fails again is dead-lettered with the same origin and one attempt more.</summary>
internal sealed class ReplayedRows(IReadOnlyList<StoredDeadLetter> letters) : IOriginalRows
{
    public string Input => letters[0].Input;

    public int Count => letters.Count;

    public string Position(int index) => letters[index].Position;

    public ReadOnlyMemory<byte> Bytes(int index) => letters[index].Original;

    public int Failures(int index) => letters[index].Attempts;
}
