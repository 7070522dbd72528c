using Sluice.Expectations;
namespace Sluice;

/// <summary>The newest value of the date or timestamp column <paramref name="ColumnName"/> reaching the sinks is
/// not older than <paramref name="MaxAge"/> when the run ends. A column with no value at all fails it.</summary>
/// <remarks>A date counts as its first instant (midnight UTC).</remarks>
public sealed record FreshnessExpectation(string ColumnName, TimeSpan MaxAge) : Expectation
{
    public override string? Column => ColumnName;

    public override string Describe() => $"freshness({ColumnName}) ≤ {AgeText.Of(MaxAge)} old";
}
