using Sluice.Records;

namespace Sluice.Connectors.Csv;

/// <summary>
/// The original records of one CSV batch: their bytes back to back in one array, with per-row arrays for where each
/// starts and its line — no object per row.
/// </summary>
/// <param name="starts">Row i is <c>raw[starts[i]..starts[i + 1]]</c>.</param>
internal sealed class CsvOriginalRows(string file, byte[] raw, int[] starts, long[] lines, int count)
    : IOriginalRows
{
    public string Input => file;

    public int Count => count;

    public string Position(int index) => lines[Check(index)].ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ReadOnlyMemory<byte> Bytes(int index) => raw.AsMemory(starts[Check(index)], starts[index + 1] - starts[index]);

    // The arrays are sized for a full batch, so an index past Count would read stale zeros instead of failing.
    private int Check(int index) => (uint)index < (uint)count ? index : throw new ArgumentOutOfRangeException(nameof(index));
}
