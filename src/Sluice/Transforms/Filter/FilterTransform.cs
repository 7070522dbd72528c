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
        for (int row = 0; row < batch.Length; row++)
        {
            if (failed?[row] == true)
            {
                continue;
            }
            if (result.GetValue(row) == true)
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
