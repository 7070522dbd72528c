using System.Globalization;
using Sluice.Expectations;

namespace Sluice;

/// <summary>At most this share (0 to 1) of the records reaching the sinks have <paramref name="ColumnName"/> null.</summary>
public sealed record NullRatioExpectation(string ColumnName, double Max) : Expectation
{
    public override string? Column => ColumnName;

    public override string Describe() => string.Format(CultureInfo.InvariantCulture, "null_ratio({0}) ≤ {1}", ColumnName, Max);
}
