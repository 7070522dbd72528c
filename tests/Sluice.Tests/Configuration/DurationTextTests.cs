using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData("7d", 604_800_000)]
    public void A_number_and_a_unit_is_a_duration(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    /// <summary>Beyond TimeSpan's range or not a number, it is not a duration: TimeSpan.FromMilliseconds threw
    /// instead (an unhandled exception out of `sluice dlq list --since 99999999d`).</summary>
    [Theory]
    [InlineData("99999999d")]
    [InlineData("1e300ms")]
    [InlineData("NaNs")]
    [InlineData("Infinityh")]
    [InlineData("-5m")]
    [InlineData("5")]
    public void Out_of_range_or_not_a_number_is_not_a_duration(string text) =>
        Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(1500, "1500ms")]
    [InlineData(30_000, "30s")]
    [InlineData(90_000, "90s")]
    [InlineData(300_000, "5m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(604_800_000, "7d")]
    [InlineData(0, "0ms")]
    public void A_duration_is_written_in_its_largest_whole_unit_and_reads_back(double milliseconds, string text)
    {
        Assert.Equal(text, DurationText.Format(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.True(DurationText.TryParse(text, out TimeSpan back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }
}
