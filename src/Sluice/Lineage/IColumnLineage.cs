using Apache.Arrow;

namespace Sluice.Extensibility;

/// <summary>
/// Implemented by the options of a transform that knows where its output columns come from (the built-in ones, and
/// yours: docs/extending.md). A column it leaves out has an unknown origin, and so has every column after a transform
/// that does not implement this: lineage then omits it rather than guess.
/// </summary>
public interface IColumnLineage
{
    /// <summary>For each output column whose origin is known, the input columns it is made from.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> Origins(Schema input, Schema output);
}

/// <summary>An input column an output column is made from: copied as it is (a select, a rename, a contract's typed
/// reading of it) or computed from it (a derive's expression).</summary>
/// <param name="Column">The input column's name.</param>
/// <param name="Computed">True when the output is computed from it (OpenLineage's TRANSFORMATION), false when it is a
/// copy of it (IDENTITY).</param>
public readonly record struct ColumnSource(string Column, bool Computed);

/// <summary>Origins for the common case, for an <see cref="IColumnLineage"/> to return.</summary>
public static class ColumnOrigins
{
    /// <summary>Every output column that the input has too, copied by name: what a stage that passes columns through
    /// (filter, dedupe, select, contract) does.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> ByName(Schema input, Schema output) =>
        output.FieldsList.Where(f => input.GetFieldIndex(f.Name) >= 0)
            .ToDictionary(f => f.Name, f => (IReadOnlyList<ColumnSource>)[new ColumnSource(f.Name, Computed: false)], StringComparer.Ordinal);
}
