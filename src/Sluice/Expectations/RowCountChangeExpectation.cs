using System.Globalization;
using Sluice.Expectations;

namespace Sluice;

/// <summary>The records the run wrote differ by at most <paramref name="MaxPercent"/> % from what the pipeline's
/// previous succeeded run wrote. Passes, with a note, when there is no such run.</summary>
public sealed record RowCountChangeExpectation(double MaxPercent) : Expectation
{
    public override string Describe() => string.Format(CultureInfo.InvariantCulture, "row_count_change ≤ {0} %", MaxPercent);
}
