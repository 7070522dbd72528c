namespace Sluice.Tests.Execution;

public class MemoryLimitSizingTests
{
    [Theory]
    [InlineData(128L << 20, 3, 3584)]   // 32 MB for rows in flight over 3 stages × 3 batches, at 1 KB a row: 3,640 rows
    [InlineData(256L << 20, 4, 5376)]
    [InlineData(1L << 30, 4, 8192)]     // the default size fits: never larger than it
    [InlineData(128L << 20, 40, 256)]   // a long pipeline still moves batches of 256 rows
    public void Batches_and_channels_are_sized_so_the_rows_in_flight_take_a_quarter_of_the_limit(long limit, int stages, int batch)
    {
        var sized = new RunnerOptions().Within(limit, stages);

        Assert.Equal((batch, 2, limit), (sized.BatchSize, sized.ChannelCapacity, sized.MemoryLimit!.Value));
    }

    [Fact]
    public void A_limit_below_what_the_runtime_itself_holds_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineRunner(null!, new RunnerOptions { MemoryLimit = 64L << 20 }));

        Assert.StartsWith("MemoryLimit must be at least 128 MB", e.Message, StringComparison.Ordinal);
    }
}
