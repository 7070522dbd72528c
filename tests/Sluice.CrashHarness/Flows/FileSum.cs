using System.Globalization;

namespace Sluice.CrashHarness.Flows;

/// <summary>What <c>sum</c> writes for one input file: <c>ROWS AMOUNT</c>.</summary>
internal readonly record struct FileSum(long Rows, long Amount)
{
    public string Text => string.Create(CultureInfo.InvariantCulture, $"{Rows} {Amount}");
}
