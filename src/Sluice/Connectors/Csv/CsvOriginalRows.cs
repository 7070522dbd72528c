using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>
/// The original records of one CSV batch: their bytes back to back in one array, with per-row arrays for where each
/// starts, its line and its file offset — no object per row.
/// </summary>
/// <param name="starts">Row i is <c>raw[starts[i]..starts[i + 1]]</c>.</param>
internal sealed class CsvOriginalRows(string file, byte[] raw, int[] starts, long[] lines, long[] offsets, int count)
    : IOriginalRows
{
    public string File => file;

    public int Count => count;

    public long Line(int index) => lines[Check(index)];

    public long ByteOffset(int index) => offsets[Check(index)];

    public ReadOnlyMemory<byte> Bytes(int index) => raw.AsMemory(starts[Check(index)], starts[index + 1] - starts[index]);

    // The arrays are sized for a full batch, so an index past Count would read stale zeros instead of failing.
    private int Check(int index) => (uint)index < (uint)count ? index : throw new ArgumentOutOfRangeException(nameof(index));
}
