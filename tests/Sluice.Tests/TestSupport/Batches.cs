using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>Builds small batches for transform tests: columns of int64 (long?) or string values, one row per index.</summary>
public static class Batches
{
    public static Batch Of(params (string Name, object?[] Values)[] columns)
    {
        int rows = columns[0].Values.Length;
        var fields = new List<Field>();
        var arrays = new List<IArrowArray>();
        foreach (var (name, values) in columns)
        {
            if (values.All(v => v is null or long or int))
            {
                var b = new Int64Array.Builder();
                foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(Convert.ToInt64(v)); }
                fields.Add(new Field(name, Int64Type.Default, true));
                arrays.Add(b.Build());
            }
            else
            {
                var b = new StringArray.Builder();
                foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append((string)v); }
                fields.Add(new Field(name, StringType.Default, true));
                arrays.Add(b.Build());
            }
        }
        var lines = Enumerable.Range(0, rows).Select(r => string.Join(",", columns.Select(c => c.Values[r]))).ToArray();
        return new Batch(new RecordBatch(new Schema(fields, null), arrays, rows), new RowOrigins(new Lines(lines)));
    }

    public static object?[] Column(Batch batch, string name)
    {
        var array = batch.Data.Column(batch.Schema.GetFieldIndex(name));
        return Enumerable.Range(0, batch.Length).Select(i => array switch
        {
            Int64Array a => (object?)a.GetValue(i),
            StringArray s => s.GetString(i),
            BooleanArray b => b.GetValue(i),
            DoubleArray d => d.GetValue(i),
            _ => throw new NotSupportedException(array.GetType().Name),
        }).ToArray();
    }

    /// <summary>Original rows as "v1,v2,…" lines in a file called "test.csv", line numbers from 2 (after a header).</summary>
    private sealed class Lines(string[] lines) : IOriginalRows
    {
        public string Input => "test.csv";
        public int Count => lines.Length;
        public string Position(int index) => (index + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => Encoding.UTF8.GetBytes(lines[index]);
    }
}
