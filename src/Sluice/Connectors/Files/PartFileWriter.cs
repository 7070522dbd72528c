using Apache.Arrow;

namespace Sluice.Connectors.Files;

/// <summary>
/// Encodes rows into one part file of some format. Created by a <see cref="PartFileSet"/> over the file's stream;
/// the set owns the stream and decides when a file ends.
/// </summary>
internal abstract class PartFileWriter : IDisposable
{
    /// <summary>Encodes rows <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="length"/> - 1
    /// of <paramref name="batch"/>. May buffer; everything must reach the stream by <see cref="Finish"/>.</summary>
    public abstract void Write(RecordBatch batch, int offset, int length);

    /// <summary>Writes what is still buffered and any footer. Called once; after no row at all only for
    /// the empty part <see cref="PartFileSet.EndInput"/> writes, which must still be a valid file.</summary>
    public abstract void Finish();

    /// <summary>Releases native or pooled resources; never writes. Must not throw after a failed write.</summary>
    public virtual void Dispose() { }
}
