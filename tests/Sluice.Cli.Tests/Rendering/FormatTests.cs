using Sluice.Cli.Rendering;
using Sluice.State;

namespace Sluice.Cli.Tests.Rendering;

public sealed class FormatTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(20050, "20,050")]
    [InlineData(1234567, "1,234,567")]
    public void Counts_group_thousands(long n, string expected) => Assert.Equal(expected, Format.Count(n));

    [Theory]
    [InlineData(0.35, "350 ms")]
    [InlineData(1.24, "1.2 s")]
    [InlineData(125, "2 min 5 s")]
    [InlineData(7500, "2 h 5 min")]
    public void Durations_read_in_the_largest_sensible_unit(double seconds, string expected) =>
        Assert.Equal(expected, Format.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_reconciliation_says_whether_the_totals_balance()
    {
        var start = DateTimeOffset.UnixEpoch;
        var run = new RunRecord("r", "p", "pipeline", null, RunState.Succeeded, start, start, 20_050, 19_990, 20, 40, null);

        Assert.Equal("in 20,050 = out 19,990 + dead 40 + filtered 20", Format.Reconciliation(run));
        Assert.Equal("in 20,050 ≠ out 39,980 + dead 40 + filtered 20", Format.Reconciliation(run with { RecordsWritten = 39_980 }));
    }
}
