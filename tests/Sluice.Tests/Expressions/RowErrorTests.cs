using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class RowErrorTests
{
    [Fact]
    public void Division_by_zero_nulls_the_row_and_reports_it()
    {
        var batch = Batch(("a", Longs(10, 7, 9, null)), ("b", Longs(3, 0, -2, 0)));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { 3L, null, -4L, null }, Eval("a / b", batch, errors));
        Assert.Equal([new RowError(1, "division by zero in a / b")], errors);
    }

    [Fact]
    public void Float_and_decimal_division_by_zero_are_row_errors_not_infinity()
    {
        var batch = Batch(("x", Doubles(1, 2)), ("m", Decimals(2, 1m, 2m)), ("z", Longs(1, 0)));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { 1d, null }, Eval("x / z", batch, errors));
        Assert.Equal(new object?[] { 1m, null }, Eval("m / z", batch, errors));
        Assert.Equal(new object?[] { 0m, null }, Eval("m % z", batch, errors));
        Assert.Equal([1, 1, 1], errors.Select(e => e.Row));
    }

    [Fact]
    public void Integer_overflow_is_a_row_error()
    {
        var batch = Batch(("a", Longs(long.MaxValue, 1, long.MinValue, 3_037_000_500)));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { null, 2L, long.MinValue + 1, 3_037_000_501L }, Eval("a + 1", batch, errors));
        Assert.Equal([new RowError(0, "int64 overflow in a + 1")], errors);
        errors.Clear();
        Assert.Equal(new object?[] { null, 1L, null, null }, Eval("a * a", batch, errors));
        Assert.Equal([0, 2, 3], errors.Select(e => e.Row));
        errors.Clear();
        Assert.Equal(new object?[] { -long.MaxValue, -1L, null, -3_037_000_500L }, Eval("-a", batch, errors));
        Assert.Equal(new object?[] { long.MaxValue, 1L, null, 3_037_000_500L }, Eval("abs(a)", batch, errors));
        Assert.Equal(new object?[] { null, 1L, long.MinValue, 3_037_000_500L }, Eval("a - -1 - 1", batch));
        Assert.Equal(new object?[] { -long.MaxValue, -1L, null, -3_037_000_500L }, Eval("a / -1", batch));
    }

    [Fact]
    public void A_failed_row_is_null_even_when_an_outer_operator_would_hide_it()
    {
        var batch = Batch(("a", Longs(1, 2)), ("b", Longs(1, 0)));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { false, null }, Eval("a / b IS NULL", batch, errors));
        Assert.Equal(new object?[] { 1L, null }, Eval("coalesce(a / b, 0)", batch, errors));
        Assert.Equal([1, 1], errors.Select(e => e.Row));
    }

    [Fact]
    public void Branches_not_taken_never_fail()
    {
        var batch = Batch(("a", Longs(6, 5)), ("b", Longs(2, 0)));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { 3L, null }, Eval("CASE WHEN b = 0 THEN NULL ELSE a / b END", batch, errors));
        Assert.Equal(new object?[] { true, false }, Eval("b <> 0 AND a / b > 1", batch, errors));
        Assert.Equal(new object?[] { true, true }, Eval("b = 0 OR a / b > 1", batch, errors));
        Assert.Equal(new object?[] { 3L, -1L }, Eval("coalesce(nullif(b, 0), -1) * 0 + coalesce(a / nullif(b, 0), -1)", batch, errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void Errors_are_reported_once_per_row_in_row_order()
    {
        var batch = Batch(("a", Longs(1, 2, 3)), ("b", Longs(0, 1, 0)));
        var errors = new List<RowError>();
        Eval("a / b + CAST('x' || CAST(a AS string) AS int64)", batch, errors);
        Assert.Equal([0, 1, 2], errors.Select(e => e.Row));
        Assert.Equal("division by zero in a / b", errors[0].Message);
        Assert.Equal("cannot cast 'x2' to int64 in CAST('x' || CAST(a AS string) AS int64)", errors[1].Message);
    }

    [Fact]
    public void Without_an_error_list_failed_rows_are_still_null()
    {
        var batch = Batch(("a", Longs(1)), ("b", Longs(0)));
        var array = SqlExpression.Compile("a % b", batch.Schema).Evaluate(batch);
        Assert.Equal(1, array.NullCount);
    }
}
