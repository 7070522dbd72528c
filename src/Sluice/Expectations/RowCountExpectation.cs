using System.Globalization;
using Sluice.Expectations;

namespace Sluice;

/// <summary>The records the run wrote (all sinks together) are within [<paramref name="Min"/>, <paramref name="Max"/>];
/// at least one bound is set.</summary>
public sealed record RowCountExpectation(long? Min, long? Max) : Expectation
{
    public override string Describe() => "row_count" + Bounds.Text(Min, Max);
}

/// <summary>Text of optional bounds shared by the expectations that have them.</summary>
internal static class Bounds
{
    public static string Text(long? min, long? max) => (min, max) switch
    {
        ({ } lo, { } hi) => string.Format(CultureInfo.InvariantCulture, " between {0:N0} and {1:N0}", lo, hi),
        ({ } lo, null) => string.Format(CultureInfo.InvariantCulture, " ≥ {0:N0}", lo),
        (null, { } hi) => string.Format(CultureInfo.InvariantCulture, " ≤ {0:N0}", hi),
        _ => "",
    };

    public static bool Within(long value, long? min, long? max) => value >= (min ?? long.MinValue) && value <= (max ?? long.MaxValue);
}
