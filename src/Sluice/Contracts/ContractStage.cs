using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>
/// Types the source's columns and checks every record against the contract, one column at a time: each field is
/// read as its type (parse failures reject rows), then its rules run over the column; rows rejected by an earlier
/// field are skipped, so a record's first failure in field order is its one dead letter. The rows left are
/// copied out once at the end (or not at all when none failed).
/// Emits when a batch has at least one good row; backpressures when the next stage does; drops nothing on purpose,
/// so rows out + dead-lettered = rows in.
/// </summary>
internal sealed class ContractStage : ITransform
{
    private readonly int[] _inputIndex; // per contract field: its input column, or -1
    private readonly FieldReader?[] _readers;
    private readonly FieldRules[] _rules;
    private readonly int[] _unknown; // input columns the contract does not name
    private readonly UnknownFields _unknownFields;
    private readonly IReadOnlyList<FieldContract> _contract;

    public ContractStage(ContractOptions options, Schema input)
    {
        _contract = options.Fields;
        _unknownFields = options.UnknownFields;
        int n = _contract.Count;
        _inputIndex = new int[n];
        _readers = new FieldReader?[n];
        _rules = new FieldRules[n];
        var problems = new List<Diagnostic>();
        for (int i = 0; i < n; i++)
        {
            FieldContract field = _contract[i];
            _inputIndex[i] = input.GetFieldIndex(field.Name);
            try
            {
                if (_inputIndex[i] >= 0)
                {
                    _readers[i] = FieldReader.Create(field, input.GetFieldByIndex(_inputIndex[i]).DataType);
                }
                else if (field.Required)
                {
                    problems.Add(new Diagnostic(null, $"the input has no column '{field.Name}'; its columns are: " +
                        string.Join(", ", input.FieldsList.Select(f => f.Name)) + ". Rename the contract field or make it optional"));
                }
                _rules[i] = FieldRules.Create(field);
            }
            catch (PipelineException e)
            {
                problems.AddRange(e.Diagnostics);
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        var named = _contract.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        _unknown = Enumerable.Range(0, input.FieldsList.Count).Where(c => !named.Contains(input.GetFieldByIndex(c).Name)).ToArray();
        var outputFields = _contract.Select(f => FieldTypes.ArrowField(f.Name, f.Type, f.DecimalScale)).ToList();
        if (_unknownFields == UnknownFields.Keep)
        {
            outputFields.AddRange(_unknown.Select(input.GetFieldByIndex));
        }
        OutputSchema = new Schema(outputFields, input.Metadata);
    }

    public Schema OutputSchema { get; }

    public Batch? Apply(Batch input, StageContext context)
    {
        int rows = input.Length;
        var rejections = new Rejections(rows, input.Origins, context);
        var columns = new IArrowArray[OutputSchema.FieldsList.Count];
        for (int i = 0; i < _contract.Count; i++)
        {
            columns[i] = _inputIndex[i] < 0
                ? Columns.Nulls(OutputSchema.GetFieldByIndex(i).DataType, rows)
                : _readers[i]!.Read(input.Data.Column(_inputIndex[i]), rejections);
            _rules[i].Check(columns[i], rejections);
        }
        if (_unknownFields == UnknownFields.Reject)
        {
            RejectUnknown(input.Data, rejections);
        }
        else if (_unknownFields == UnknownFields.Keep)
        {
            for (int k = 0; k < _unknown.Length; k++)
            {
                columns[_contract.Count + k] = input.Data.Column(_unknown[k]);
            }
        }
        if (rejections.Count == rows)
        {
            return null;
        }
        if (rejections.Count == 0)
        {
            return new Batch(new RecordBatch(OutputSchema, columns, rows), input.Origins, input.Position);
        }
        int[] kept = rejections.Kept();
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = ArrayTake.Take(columns[c], kept);
        }
        return new Batch(new RecordBatch(OutputSchema, columns, kept.Length), input.Origins.Select(kept), input.Position);
    }

    /// <summary>A value in a column the contract does not name rejects its row. An empty string counts as no
    /// value, because that is how a text source writes a missing cell.</summary>
    private void RejectUnknown(RecordBatch data, Rejections rejections)
    {
        foreach (int c in _unknown)
        {
            IArrowArray column = data.Column(c);
            if (column.NullCount == column.Length)
            {
                continue;
            }
            string name = data.Schema.GetFieldByIndex(c).Name;
            for (int row = 0; row < column.Length; row++)
            {
                if (rejections.IsRejected(row) || column.IsNull(row) || (column is StringArray s && s.GetValueLength(row) == 0))
                {
                    continue;
                }
                rejections.Reject(row, DeadLetterReason.Contract, name, "unknown_fields",
                    $"{name} is not in the contract; add it to the contract's fields or set unknown_fields to drop or keep");
            }
        }
    }
}
