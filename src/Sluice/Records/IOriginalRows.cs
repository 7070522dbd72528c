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
    /// <summary>What the batch was read from (see <see cref="RowOrigin.Input"/>): a batch never spans two inputs.</summary>
    string Input { get; }

    int Count { get; }

    /// <summary>The record's place in <see cref="Input"/> (see <see cref="RowOrigin.Position"/>).</summary>
    string Position(int index);

    ReadOnlyMemory<byte> Bytes(int index);

    /// <summary>How many times the record was dead-lettered before (see <see cref="RowOrigin.Failures"/>).</summary>
    int Failures(int index) => 0;
}
