using Apache.Arrow;

namespace Sluice.Records;

/// <summary>
/// The unit that moves between stages: up to a few thousand rows as an Arrow record batch, the origin of every
/// row, and the source position reached after it. Immutable once emitted, so one batch can be handed to several
/// downstream stages (fan-out) without copying.
/// </summary>
public sealed class Batch
{
    public Batch(RecordBatch data, RowOrigins origins, SourcePosition? position = null)
    {
        if (data.Length != origins.Count)
        {
            throw new ArgumentException($"batch has {data.Length} rows but {origins.Count} origins");
        }
        Data = data;
        Origins = origins;
        Position = position;
    }

    public RecordBatch Data { get; }

    public RowOrigins Origins { get; }

    public SourcePosition? Position { get; }

    public int Length => Data.Length;

    public Schema Schema => Data.Schema;

    /// <summary>A batch with other data for the same rows (same count, same order).</summary>
    public Batch WithData(RecordBatch data) => new(data, Origins, Position);
}
