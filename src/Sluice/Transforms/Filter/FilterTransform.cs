using System.Runtime.InteropServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Expressions;
using Sluice.Records;

namespace Sluice.Transforms.Filter;

internal sealed class FilterTransform(Schema input, CompiledExpression predicate) : ITransform
{
    private readonly List<RowError> _errors = [];
    private readonly List<int> _keep = [];

    public Schema OutputSchema => input;

    public Batch? Apply(Batch batch, StageContext context)
    {
        var result = (BooleanArray)predicate.Evaluate(batch.Data, _errors);
        var failed = RowFailures.DeadLetter(batch, _errors, context, field: null);
        _keep.Clear();
        int dropped = 0;
        // A row passes when its result is valid and true: read both bitmaps directly, not through GetValue per row.
        ReadOnlySpan<byte> values = result.ValueBuffer.Span;
        ReadOnlySpan<byte> validity = result.NullCount == 0 ? default : result.NullBitmapBuffer.Span;
        int offset = result.Offset;
        for (int row = 0; row < batch.Length; row++)
        {
            if (failed?[row] == true)
            {
                continue;
            }
            int bit = row + offset;
            int mask = 1 << (bit & 7);
            bool pass = (values[bit >> 3] & mask) != 0 && (validity.IsEmpty || (validity[bit >> 3] & mask) != 0);
            if (pass)
            {
                _keep.Add(row);
            }
            else
            {
                dropped++;
            }
        }
        context.RecordsFiltered(dropped);
        return _keep.Count == 0 ? null : ArrayTake.Take(batch, CollectionsMarshal.AsSpan(_keep));
    }
}
