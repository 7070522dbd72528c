using Apache.Arrow;
using Sluice.Execution;
using Sluice.Expressions;
using Sluice.Records;

namespace Sluice.Transforms.Derive;

/// <summary>Evaluates each expression over the whole batch and sets its column; rows an expression fails on are
/// dead-lettered and removed before the next expression runs.</summary>
internal sealed class DeriveTransform(Schema output, IReadOnlyList<(int Index, CompiledExpression Expression)> columns) : ITransform
{
    private readonly List<RowError> _errors = [];

    public Schema OutputSchema => output;

    public Batch? Apply(Batch batch, StageContext context)
    {
        var current = batch;
        foreach (var (index, expression) in columns)
        {
            var values = expression.Evaluate(current.Data, _errors);
            var field = output.GetFieldByIndex(index);
            current = current.WithData(SetColumn(current.Data, index, field, values));
            var failed = RowFailures.DeadLetter(current, _errors, context, field.Name);
            if (failed is not null)
            {
                var keep = Enumerable.Range(0, current.Length).Where(r => !failed[r]).ToArray();
                if (keep.Length == 0)
                {
                    return null;
                }
                current = ArrayTake.Take(current, keep);
            }
        }
        return current.WithData(new RecordBatch(output, Columns(current.Data), current.Length));
    }

    /// <summary>Replaces column <paramref name="index"/>, or appends it when the batch does not have it yet
    /// (derived columns are appended in the order they are declared, so <paramref name="index"/> is then the next one).</summary>
    private static RecordBatch SetColumn(RecordBatch batch, int index, Field field, IArrowArray values)
    {
        var arrays = Columns(batch).ToList();
        var fields = batch.Schema.FieldsList.ToList();
        if (index < arrays.Count)
        {
            arrays[index] = values;
            fields[index] = field;
        }
        else
        {
            arrays.Add(values);
            fields.Add(field);
        }
        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), arrays, batch.Length);
    }

    private static IEnumerable<IArrowArray> Columns(RecordBatch batch) =>
        Enumerable.Range(0, batch.ColumnCount).Select(batch.Column);
}
