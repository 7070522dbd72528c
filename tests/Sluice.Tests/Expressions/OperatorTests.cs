using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class OperatorTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7L)]
    [InlineData("(1 + 2) * 3", 9L)]
    [InlineData("7 / 2", 3L)]
    [InlineData("-7 / 2", -3L)]
    [InlineData("7 % 3", 1L)]
    [InlineData("-7 % 3", -1L)]
    [InlineData("10 - 2 - 3", 5L)]
    [InlineData("-(2 + 3)", -5L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("'a' || 'b' || 'c'", "abc")]
    [InlineData("1 + 2 = 3 AND NOT 1 > 2", true)]
    [InlineData("1 < 2 OR 1 / 0 = 1", true)]
    [InlineData("1 <> 1", false)]
    [InlineData("1 != 2", true)]
    [InlineData("2 <= 2 AND 2 >= 3", false)]
    [InlineData("'abc' < 'abd'", true)]
    [InlineData("'Z' < 'a'", true)]
    [InlineData("FALSE < TRUE", true)]
    [InlineData("1e3", 1000d)]
    [InlineData("1 + 0.5e1", 6d)]
    [InlineData("3 IN (1, 2, 3)", true)]
    [InlineData("4 NOT IN (1, 2, 3)", true)]
    [InlineData("5 BETWEEN 1 AND 5", true)]
    [InlineData("6 NOT BETWEEN 1 AND 5", true)]
    [InlineData("'ab' IS NULL", false)]
    [InlineData("NULL IS NULL", true)]
    [InlineData("NULL IS NOT NULL", false)]
    [InlineData("CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END", "b")]
    [InlineData("CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END", "three")]
    [InlineData("CASE 4 WHEN 1 THEN 'one' END", null)]
    [InlineData("case when true then 1 end", 1L)]
    public void Constant_expressions_evaluate_with_SQL_precedence(string text, object? expected) =>
        Assert.Equal(expected, Scalar(text));

    [Fact]
    public void Dotted_literals_are_decimal_and_widen_with_int64()
    {
        Assert.Equal(1.5m, Scalar("1.5"));
        Assert.Equal(3.5m, Scalar("2 + 1.5"));
        Assert.Equal(0.3m, Scalar("0.1 + 0.2"));
        Assert.Equal(2.5m, Scalar("5 / 2.0"));
        Assert.Equal(3.5d, Scalar("2.0 + 1.5e0"));
        Assert.Equal(true, Scalar("1 = 1.0"));
    }

    [Fact]
    public void Column_arithmetic_and_comparison_with_nulls()
    {
        var batch = Batch(("a", Longs(1, null, 3, 4)), ("b", Ints(10, 20, null, 40)), ("x", Doubles(0.5, 1, 2, null)));
        Assert.Equal(new object?[] { 11L, null, null, 44L }, Eval("a + b", batch));
        Assert.Equal(new object?[] { 1.5, null, 5d, null }, Eval("a + x", batch));
        Assert.Equal(new object?[] { true, null, null, true }, Eval("a < b", batch));
        Assert.Equal(new object?[] { -1L, null, -3L, -4L }, Eval("-a", batch));
    }

    [Fact]
    public void Decimal_columns_keep_their_value_and_results_use_the_default_scale()
    {
        var batch = Batch(("price", Decimals(2, 1.25m, null, -3.10m)), ("qty", Longs(2, 1, 3)));
        Assert.Equal(new object?[] { 2.50m, null, -9.30m }, Eval("price * qty", batch));
        Assert.Equal(new object?[] { true, null, false }, Eval("price > 1", batch));
        var compiled = Sluice.Expressions.SqlExpression.Compile("price / 3", batch.Schema);
        var array = (Apache.Arrow.Decimal128Array)compiled.Evaluate(batch);
        Assert.Equal(9, ((Apache.Arrow.Types.Decimal128Type)array.Data.DataType).Scale);
        Assert.Equal(0.416666667m, array.GetValue(0));
    }

    [Fact]
    public void In_and_between_follow_SQL_null_rules()
    {
        var batch = Batch(("a", Longs(1, 2, null)));
        Assert.Equal(new object?[] { true, null, null }, Eval("a IN (1, NULL)", batch));
        Assert.Equal(new object?[] { false, null, null }, Eval("a NOT IN (1, NULL)", batch));
        Assert.Equal(new object?[] { true, false, null }, Eval("a IN (1, 3)", batch));
        Assert.Equal(new object?[] { true, false, null }, Eval("a BETWEEN 0 AND 1", batch));
        Assert.Equal(new object?[] { null, false, null }, Eval("a BETWEEN NULL AND 1", batch));
    }

    [Fact]
    public void Like_matches_percent_and_single_characters()
    {
        var batch = Batch(("s", Strings("AMS-LHR", "ams", "añb", "", null, "a%b")));
        Assert.Equal(new object?[] { true, false, false, false, null, false }, Eval("s LIKE 'AMS%'", batch));
        Assert.Equal(new object?[] { false, false, true, false, null, true }, Eval("s LIKE 'a_b'", batch));
        Assert.Equal(new object?[] { true, true, true, true, null, true }, Eval("s LIKE '%'", batch));
        Assert.Equal(new object?[] { true, false, false, false, null, false }, Eval("s LIKE '%-%R'", batch));
        Assert.Equal(new object?[] { false, true, true, true, null, true }, Eval("s NOT LIKE '%H%'", batch));
    }

    [Fact]
    public void Case_takes_the_first_matching_arm_and_null_conditions_do_not_match()
    {
        var batch = Batch(("d", Longs(-5, 0, 30, null)));
        const string text = "CASE WHEN d < 0 THEN 'early' WHEN d > 15 THEN 'late' ELSE 'on time' END";
        Assert.Equal(new object?[] { "early", "on time", "late", "on time" }, Eval(text, batch));
        Assert.Equal(new object?[] { "neg", "zero", null, null }, Eval("CASE d WHEN -5 THEN 'neg' WHEN 0 THEN 'zero' END", batch));
        Assert.Equal(new object?[] { -5L, 0L, 30L, null }, Eval("CASE WHEN d > 100 THEN NULL ELSE d END", batch));
    }

    [Fact]
    public void String_literals_compared_with_dates_and_timestamps_are_parsed_at_compile_time()
    {
        var batch = Batch(("day", Dates("2024-01-01", "2024-03-05", null)),
            ("at", Timestamps("2024-01-01T10:00:00Z", "2024-03-05T23:59:59Z", "2023-12-31T23:00:00Z")));
        Assert.Equal(new object?[] { false, true, null }, Eval("day > '2024-02-01'", batch));
        Assert.Equal(new object?[] { true, false, null }, Eval("'2024-01-01' = day", batch));
        Assert.Equal(new object?[] { true, false, false }, Eval("at BETWEEN '2024-01-01' AND '2024-01-01T12:00:00Z'", batch));
        Assert.Equal(new object?[] { false, true, null }, Eval("day IN ('2024-03-05', '2025-01-01')", batch));
        // A date widens to a timestamp at midnight UTC.
        Assert.Equal(new object?[] { true, true, null }, Eval("at >= day", batch));
    }

    [Fact]
    public void Keywords_are_case_insensitive_and_quoted_identifiers_may_be_keywords()
    {
        var batch = Batch(("select", Longs(1, 2)), ("when", Longs(2, 2)));
        Assert.Equal(new object?[] { false, true }, Eval("\"select\" = \"when\" and not false", batch));
        Assert.Equal(new object?[] { "it's", "it's" }, Eval("'it''s'", batch));
    }

    [Fact]
    public void Multi_line_expressions_evaluate()
    {
        var batch = Batch(("delay", Longs(20, 5)), ("distance", Longs(500, 500)));
        Assert.Equal(new object?[] { true, false }, Eval("delay > 15\n  AND distance < 1000", batch));
    }
}
