using Apache.Arrow;
using Sluice.Records;

namespace Sluice.Extensibility;

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

    /// <summary>A batch of no rows: what a waiting source emits so that the runner gets a turn (e.g. to checkpoint).</summary>
    public static Batch Empty(Schema schema, SourcePosition? position = null)
    {
        var columns = schema.FieldsList.Select(f => ArrowArrayFactory.BuildArray(new ArrayData(f.DataType, 0, 0, 0,
            f.DataType is Apache.Arrow.Types.StringType or Apache.Arrow.Types.BinaryType
                ? [ArrowBuffer.Empty, new ArrowBuffer(new byte[sizeof(int)]), ArrowBuffer.Empty] // one offset: 0
                : [ArrowBuffer.Empty, ArrowBuffer.Empty])));
        return new Batch(new RecordBatch(schema, columns, 0), new RowOrigins(NoRows.Instance), position);
    }

    private sealed class NoRows : IOriginalRows
    {
        public static NoRows Instance { get; } = new();
        public string Input => "";
        public int Count => 0;
        public string Position(int index) => throw new ArgumentOutOfRangeException(nameof(index));
        public ReadOnlyMemory<byte> Bytes(int index) => throw new ArgumentOutOfRangeException(nameof(index));
    }
}
