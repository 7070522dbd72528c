using Sluice.Records;
namespace Sluice.Extensibility;

/// <summary>
/// The original records behind one source batch, by their index in that batch. A source hands one of these out
/// with every batch so that any later stage can dead-letter a record with its original bytes and position.
/// Implementations keep what they already hold (the raw byte buffer of a CSV chunk, the source Arrow batch)
/// and do the work of producing bytes only when asked, which is only for dead letters.
/// </summary>
public interface IOriginalRows
{
    string File { get; }
    int Count { get; }
    long Line(int index);
    long ByteOffset(int index);
    ReadOnlyMemory<byte> Bytes(int index);

    /// <summary>How many times the record was dead-lettered before (see <see cref="RowOrigin.Failures"/>).</summary>
    int Failures(int index) => 0;
}
