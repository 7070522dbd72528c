using Sluice.State;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Records;

namespace Sluice.Tests.Contracts;

/// <summary>Batches built by hand: text columns (as CSV would give) with one original line per row.</summary>
internal static class ContractTestBatches
{
    /// <summary>A batch of string columns; a null cell is a null value. Row i's original bytes are its cells joined by ','.</summary>
    public static Batch Text(params (string Name, string?[] Values)[] columns)
    {
        int rows = columns[0].Values.Length;
        var fields = columns.Select(c => new Field(c.Name, StringType.Default, true)).ToList();
        var arrays = columns.Select(c =>
        {
            var builder = new StringArray.Builder();
            foreach (string? v in c.Values)
            {
                if (v is null) builder.AppendNull(); else builder.Append(v);
            }
            return (IArrowArray)builder.Build();
        }).ToList();
        var lines = Enumerable.Range(0, rows).Select(r => string.Join(",", columns.Select(c => c.Values[r] ?? ""))).ToArray();
        return new Batch(new RecordBatch(new Schema(fields, null), arrays, rows), new RowOrigins(new Lines("in.csv", lines)));
    }

    /// <summary>A batch of typed columns, as Parquet would give.</summary>
    public static Batch Typed(params (string Name, IArrowArray Array)[] columns)
    {
        int rows = columns[0].Array.Length;
        var fields = columns.Select(c => new Field(c.Name, c.Array.Data.DataType, true)).ToList();
        var lines = Enumerable.Range(0, rows).Select(r => $"row {r}").ToArray();
        return new Batch(new RecordBatch(new Schema(fields, null), columns.Select(c => c.Array), rows),
            new RowOrigins(new Lines("in.parquet", lines)));
    }

    public static string Original(this DeadLetter letter) => Encoding.UTF8.GetString(letter.Origin.Original.Span);

    /// <summary>Original rows as lines of text; line numbers start at 2 (after a header).</summary>
    private sealed class Lines(string file, string[] lines) : IOriginalRows
    {
        public string Input => file;
        public int Count => lines.Length;
        public string Position(int index) => (index + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => Encoding.UTF8.GetBytes(lines[index]);
    }
}
