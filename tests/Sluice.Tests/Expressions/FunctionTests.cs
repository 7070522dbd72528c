using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class FunctionTests
{
    [Theory]
    [InlineData("lower('AbÇ')", "abç")]
    [InlineData("UPPER('abç')", "ABÇ")]
    [InlineData("upper('abc')", "ABC")]
    [InlineData("length('héllo')", 5L)]
    [InlineData("length('')", 0L)]
    [InlineData("trim('  a b \t')", "a b")]
    [InlineData("ltrim('  a ')", "a ")]
    [InlineData("rtrim('  a ')", "  a")]
    [InlineData("substr('héllo', 2, 3)", "éll")]
    [InlineData("substr('hello', 3)", "llo")]
    [InlineData("substr('hello', 0, 3)", "he")]
    [InlineData("substr('hello', 9)", "")]
    [InlineData("substr('hello', 2, -1)", "")]
    [InlineData("replace('a-b-c', '-', '+-')", "a+-b+-c")]
    [InlineData("replace('abc', '', 'x')", "abc")]
    [InlineData("starts_with('AMS-LHR', 'AMS')", true)]
    [InlineData("ends_with('AMS-LHR', 'AMS')", false)]
    [InlineData("contains('AMS-LHR', 'S-L')", true)]
    [InlineData("concat('a', 1, TRUE, 2.5)", "a1true2.5")]
    [InlineData("coalesce(NULL, NULL, 'x')", "x")]
    [InlineData("coalesce(NULL, 1, 2.5e0)", 1.0)]
    [InlineData("nullif(3, 3)", null)]
    [InlineData("nullif(3, 4)", 3L)]
    [InlineData("abs(-4)", 4L)]
    [InlineData("abs(-4.5e0)", 4.5)]
    [InlineData("round(2.5e0)", 3d)]
    [InlineData("round(-2.5e0)", -3d)]
    [InlineData("round(7)", 7L)]
    [InlineData("floor(-1.5e0)", -2d)]
    [InlineData("ceil(1.2e0)", 2d)]
    [InlineData("least(3, 1, 2)", 1L)]
    [InlineData("greatest(3, NULL, 5)", 5L)]
    [InlineData("greatest('b', 'a')", "b")]
    [InlineData("least(NULL, NULL, 1)", 1L)]
    public void Functions_compute_their_documented_results(string text, object? expected) =>
        Assert.Equal(expected, Scalar(text));

    [Fact]
    public void Decimal_round_floor_ceil_and_abs()
    {
        Assert.Equal(2.35m, Scalar("round(2.345, 2)"));
        Assert.Equal(-2.35m, Scalar("round(-2.345, 2)"));
        Assert.Equal(-3m, Scalar("floor(-2.5)"));
        Assert.Equal(3m, Scalar("ceil(2.1)"));
        Assert.Equal(1.5m, Scalar("abs(-1.5)"));
    }

    /// <summary>Nested replaces double a value per level: past 16 MiB a value is that row's error, refused before its
    /// memory is taken, and a constant that always grows past it is refused at compile time (it took 14 GB).</summary>
    [Fact]
    public void A_replace_that_would_grow_a_value_past_16_MiB_is_a_row_error_not_a_memory_blow_up()
    {
        string nested = "s";
        for (int i = 0; i < 30; i++) nested = $"replace({nested}, 'a', 'aa')";
        var errors = new List<RowError>();

        var rows = Eval(nested, Batch(("s", Strings("a", "b"))), errors);

        Assert.Equal(new object?[] { null, "b" }, rows);
        Assert.Contains("replace() would make a value of more than 16 MiB", Assert.Single(errors).Message);
        Assert.Contains("always fails: replace() would make a value of more than 16 MiB",
            Rows.Error(nested.Replace("replace(s,", "replace('a',"), Batch(("s", Strings("a")))).Message);
    }

    [Fact]
    public void Function_names_are_case_insensitive_and_functions_work_on_columns()
    {
        var batch = Batch(("s", Strings("Ab", null, "ÉÈ")), ("n", Longs(2, 1, null)));
        Assert.Equal(new object?[] { "ab", null, "éè" }, Eval("LOWER(s)", batch));
        Assert.Equal(new object?[] { 2L, null, 2L }, Eval("Length(s)", batch));
        Assert.Equal(new object?[] { "b", null, null }, Eval("substr(s, n)", batch));
        Assert.Equal(new object?[] { "Ab2", "1", "ÉÈ" }, Eval("concat(s, n)", batch));
        Assert.Equal(new object?[] { "Ab", "x", "ÉÈ" }, Eval("coalesce(s, 'x')", batch));
    }

    [Fact]
    public void Date_parts_of_dates_and_timestamps()
    {
        var batch = Batch(("day", Dates("2024-02-29", "1969-12-31", null)),
            ("at", Timestamps("2024-02-29T13:45:10Z", "1969-12-31T23:59:00Z", "2000-01-01T00:00:00Z")));
        Assert.Equal(new object?[] { 2024L, 1969L, null }, Eval("year(day)", batch));
        Assert.Equal(new object?[] { 2L, 12L, null }, Eval("month(day)", batch));
        Assert.Equal(new object?[] { 29L, 31L, null }, Eval("day(day)", batch));
        Assert.Equal(new object?[] { 2024L, 1969L, 2000L }, Eval("year(at)", batch));
        Assert.Equal(new object?[] { 13L, 23L, 0L }, Eval("hour(at)", batch));
        Assert.Equal(new object?[] { 45L, 59L, 0L }, Eval("minute(at)", batch));
        Assert.Equal(new object?[] { 0L, 0L, null }, Eval("hour(day)", batch));
        Assert.Equal(new object?[] { "2024-02-29", "1969-12-31", "2000-01-01" }, Eval("date(at)", batch));
        Assert.Equal(new object?[] { true, true, null }, Eval("date(at) = day", batch));
    }
}
