using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class NullLogicTests
{
    // Every pair of TRUE, FALSE, NULL.
    private static readonly Apache.Arrow.RecordBatch Pairs = Batch(
        ("p", Bools(true, true, true, false, false, false, null, null, null)),
        ("q", Bools(true, false, null, true, false, null, true, false, null)));

    [Fact]
    public void And_truth_table()
    {
        Assert.Equal(new object?[] { true, false, null, false, false, false, null, false, null }, Eval("p AND q", Pairs));
    }

    [Fact]
    public void Or_truth_table()
    {
        Assert.Equal(new object?[] { true, true, true, true, false, null, true, null, null }, Eval("p OR q", Pairs));
    }

    [Fact]
    public void Not_and_is_null_truth_tables()
    {
        Assert.Equal(new object?[] { false, false, false, true, true, true, null, null, null }, Eval("NOT p", Pairs));
        Assert.Equal(new object?[] { false, false, false, false, false, false, true, true, true }, Eval("p IS NULL", Pairs));
        Assert.Equal(new object?[] { true, true, true, true, true, true, false, false, false }, Eval("p IS NOT NULL", Pairs));
        Assert.Equal(new object?[] { true, false, null, false, true, null, null, null, null }, Eval("p = q", Pairs));
    }

    [Fact]
    public void Null_propagates_through_operators_and_functions()
    {
        Assert.Null(Scalar("1 + NULL"));
        Assert.Null(Scalar("NULL = NULL"));
        Assert.Null(Scalar("'a' || NULL"));
        Assert.Null(Scalar("lower(NULL)"));
        Assert.Null(Scalar("CAST(NULL AS int64)"));
        Assert.Equal(false, Scalar("FALSE AND NULL"));
        Assert.Equal(true, Scalar("TRUE OR NULL"));
        Assert.Null(Scalar("TRUE AND NULL"));
        Assert.Equal("ab", Scalar("concat('a', NULL, 'b')"));
        Assert.Equal(2L, Scalar("coalesce(NULL, 2, 3)"));
    }
}
