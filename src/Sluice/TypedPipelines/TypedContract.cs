using Sluice.Contracts;
using Sluice.Pipelines;

namespace Sluice.TypedPipelines;

/// <summary>The contract a record type implies: one field per mapped property, in order, typed as the property,
/// required when it cannot hold null, with the format and scale its <see cref="ColumnAttribute"/> gives.</summary>
internal static class TypedContract
{
    public static ContractOptions Of<T>() => new()
    {
        Fields = RecordShape.Of<T>().Members.Select(m => new FieldContract(m.Column, m.FieldType)
        {
            Required = !m.Nullable,
            Format = m.Format,
            Scale = m.FieldType == FieldType.Decimal ? m.DecimalScale : null,
        }).ToList(),
        // A record type names the columns the code wants, as a query's columns do: the others are left out.
        UnknownFields = UnknownFields.Drop,
    };

    /// <summary><paramref name="contract"/> with the rules <paramref name="rules"/> adds; throws
    /// <see cref="PipelineException"/> listing the rules that cannot work.</summary>
    public static ContractOptions With<T>(ContractOptions contract, Action<ContractRules<T>> rules)
    {
        var problems = new List<Diagnostic>();
        var builder = new ContractRules<T>(contract.Fields, problems);
        rules(builder);
        return problems.Count > 0 ? throw new PipelineException(problems) : contract with { Fields = builder.Fields };
    }
}
