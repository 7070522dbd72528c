using Sluice.Expectations;
namespace Sluice;

/// <summary>The number of distinct non-null values of <paramref name="ColumnName"/> reaching the sinks (counted
/// exactly) is within [<paramref name="Min"/>, <paramref name="Max"/>]; at least one bound is set.</summary>
/// <remarks>Every distinct value is kept in memory and saved with every checkpoint: meant for columns of up to a few
/// million distinct values (codes, categories, keys of a dimension), not for unique ids of a large table.</remarks>
public sealed record DistinctCountExpectation(string ColumnName, long? Min, long? Max) : Expectation
{
    public override string? Column => ColumnName;

    public override string Describe() => $"distinct_count({ColumnName})" + Bounds.Text(Min, Max);
}
