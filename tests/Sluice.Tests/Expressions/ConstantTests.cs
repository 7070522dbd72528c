using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

/// <summary>
/// A part that reads no column is computed once at compile time: when it fails it would fail on every row, so the
/// compile fails at its position; where only some rows evaluate it (a branch), it stays a row error.
/// </summary>
public class ConstantTests
{
    private static readonly Apache.Arrow.RecordBatch Xs = Batch(("x", Longs(-1, 2)), ("s", Strings("a", "b")));

    [Theory]
    [InlineData("1/0 > x", 1, 1, "division by zero in 1/0")]
    [InlineData("x + 1/0 > 0", 1, 5, "division by zero in 1/0")]
    [InlineData("x % (2 - 2) = 0", 1, 1, "division by zero in x % (2 - 2)")]
    [InlineData("x / 0.0 > 1", 1, 1, "division by zero in x / 0.0")]
    [InlineData("CAST(x AS float64) / 0 > 1", 1, 1, "division by zero in CAST(x AS float64) / 0")] // 0 widened once, then seen as zero
    [InlineData("9223372036854775807 + 1 > x", 1, 1, "int64 overflow in 9223372036854775807 + 1")]
    [InlineData("x > CAST('abc' AS int64)", 1, 5, "cannot cast 'abc' to int64 in CAST('abc' AS int64)")]
    [InlineData("s || CAST(1 / 0 AS string) = 'a'", 1, 11, "division by zero in 1 / 0")]
    [InlineData("1/0 = 1 AND x > 0", 1, 1, "division by zero in 1/0")]
    [InlineData("CASE WHEN TRUE THEN 1/0 END = x", 1, 1, "division by zero in 1/0")]
    [InlineData("abs(-9223372036854775807 - 1) > x", 1, 1, "int64 overflow")]
    [InlineData("x IN (1/0, 2)", 1, 7, "division by zero in 1/0")]
    [InlineData("coalesce(1/0, x) > 0", 1, 10, "division by zero in 1/0")]
    public void A_constant_that_always_fails_is_a_compile_error_at_its_position(string text, int line, int column, string message)
    {
        var e = Error(text, Xs);
        Assert.StartsWith($"this expression always fails: {message}", e.Message);
        Assert.Equal((line, column), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("CASE WHEN x > 0 THEN 1 ELSE 1/0 END > 0", 0)]
    [InlineData("x > 0 AND 1/0 = 1", 1)]
    [InlineData("x > 0 OR CAST('abc' AS int64) = 1", 0)]
    [InlineData("coalesce(CASE WHEN x > 0 THEN x END, 1/0) > 0", 0)]
    [InlineData("x IN (2, 1/0)", 0)]
    [InlineData("CASE WHEN x > 0 THEN x / 0 ELSE 0 END > -1", 1)]
    public void A_failing_constant_in_a_branch_fails_only_the_rows_that_take_it(string text, int failingRow)
    {
        var errors = new List<RowError>();
        var rows = Eval(text, Xs, errors);
        Assert.Null(rows[failingRow]);
        Assert.NotNull(rows[1 - failingRow]);
        Assert.Equal(failingRow, Assert.Single(errors).Row);
    }

    [Fact]
    public void Constants_are_computed_once_and_keep_their_type()
    {
        Assert.Equal(7L, Scalar("1 + 2 * 3"));
        Assert.Equal("a-b", Scalar("'a' || '-' || 'b'"));
        Assert.Equal(2.5m, Scalar("CAST('2.5' AS decimal)"));
        Assert.Equal("2024-02-01", Scalar("CAST('2024-02-01' AS date)"));
        Assert.Null(Scalar("CAST(NULL AS int64) + 1"));
        Assert.Equal(new object?[] { false, true }, Eval("x > 1 + 0 * 5", Xs));
    }
}
