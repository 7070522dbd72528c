using System.Text;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Transforms.Dedupe;

/// <summary>
/// Remembers the keys it has seen as byte strings: each key column's value is written with a type tag and a length
/// prefix, so distinct keys never encode alike (no hashing, hence no false duplicates).
/// </summary>
internal sealed class DedupeTransform(Schema input, int[] keyColumns) : ITransform
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly StringBuilder _key = new();

    public Schema OutputSchema => input;

    public Batch? Apply(Batch batch, StageContext context)
    {
        var keep = new List<int>(batch.Length);
        for (int row = 0; row < batch.Length; row++)
        {
            _key.Clear();
            foreach (int column in keyColumns)
            {
                AppendValue(batch.Data.Column(column), row);
            }
            if (_seen.Add(_key.ToString()))
            {
                keep.Add(row);
            }
        }
        context.RecordsFiltered(batch.Length - keep.Count);
        return keep.Count == 0 ? null : ArrayTake.Take(batch, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keep));
    }

    private void AppendValue(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            _key.Append('\0');
            return;
        }
        string text = array switch
        {
            StringArray s => s.GetString(row),
            BooleanArray b => b.GetValue(row)!.Value ? "1" : "0",
            Int64Array i => i.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DoubleArray d => BitConverter.DoubleToInt64Bits(d.GetValue(row)!.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Decimal128Array m => m.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Date32Array d => d.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TimestampArray t => t.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new NotSupportedException($"dedupe cannot key on an Arrow {array.Data.DataType.Name} column"),
        };
        _key.Append('\u0001').Append(text.Length).Append(':').Append(text);
    }
}
