using Apache.Arrow;
using Sluice.Expressions.Kernels;
using Sluice.Records;

namespace Sluice.Expressions;

/// <summary>
/// An expression compiled against one schema: a tree of column-at-a-time kernels. <see cref="Evaluate"/> walks the tree
/// once per batch; each kernel is a tight loop over the rows. Safe to evaluate from several threads at once.
/// </summary>
internal sealed class CompiledExpression
{
    private readonly Kernel _root;
    private readonly int _slots;

    internal CompiledExpression(Kernel root, IReadOnlyList<string> columns, int slots)
    {
        _root = root;
        _slots = slots;
        Columns = columns;
    }

    public FieldType ResultType => _root.Type;

    /// <summary>Names of the columns the expression reads, in first-use order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>
    /// Evaluates over every row; returns an Arrow array of <see cref="ResultType"/>'s Arrow type
    /// (<see cref="FieldTypes.ToArrow"/>, decimals at <see cref="FieldTypes.DefaultDecimalScale"/>) with batch.Length rows.
    /// A row whose evaluation fails (division by zero, integer overflow, failed CAST) gets null, and when
    /// <paramref name="errors"/> is not null one <see cref="RowError"/> per failed row is added, in row order.
    /// The batch must have the schema the expression was compiled against.
    /// </summary>
    public IArrowArray Evaluate(RecordBatch batch, List<RowError>? errors = null)
    {
        var found = errors is null ? null : new List<RowError>();
        var context = new EvalContext(batch, _slots, found);
        var result = _root.Evaluate(context);
        if (found is { Count: > 0 })
        {
            found.Sort((a, b) => a.Row.CompareTo(b.Row));
            errors!.AddRange(found);
        }
        return ArrowWriter.Write(result, ResultType, context.Failed);
    }
}
