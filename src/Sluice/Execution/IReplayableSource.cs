using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Extensibility;

/// <summary>
/// A source whose records can be read again from their original bytes, as <c>sluice dlq replay</c> needs: a dead
/// letter keeps the bytes the record had in its input, and replay has the source of today parse them again.
/// </summary>
public interface IReplayableSource : ISource
{
    /// <summary>Whether <paramref name="file"/> (a dead letter's origin: a path, or an API page's URL) is an input
    /// this source reads, so that replay can tell which source a record came from when several feed a stage.</summary>
    bool Reads(string file);

    /// <summary>Parses the records' original bytes as this source reads them into one batch of
    /// <see cref="ISource.Schema"/>, in order, without a position; a record it cannot read is dead-lettered (reason
    /// <c>parse</c>) through <paramref name="context"/> and left out. The caller counts the records read.</summary>
    Batch Parse(IOriginalRows records, StageContext context);
}
