using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class CastTests
{
    [Theory]
    [InlineData("CAST('42' AS int64)", 42L)]
    [InlineData("CAST(' -7 ' AS INT64)", -7L)]
    [InlineData("CAST('2.5' AS float64)", 2.5)]
    [InlineData("CAST('TRUE' AS bool)", true)]
    [InlineData("CAST('0' AS bool)", false)]
    [InlineData("CAST(2.5e0 AS int64)", 3L)]
    [InlineData("CAST(-2.5 AS int64)", -3L)]
    [InlineData("CAST(3 AS bool)", true)]
    [InlineData("CAST(TRUE AS int64)", 1L)]
    [InlineData("CAST(42 AS string)", "42")]
    [InlineData("CAST(0.1e0 AS string)", "0.1")]
    [InlineData("CAST(FALSE AS string)", "false")]
    [InlineData("CAST(1.50 AS string)", "1.50")]
    [InlineData("CAST('2024-02-29' AS date)", "2024-02-29")]
    [InlineData("CAST(CAST('2024-02-29' AS date) AS string)", "2024-02-29")]
    [InlineData("CAST('2024-02-29T10:11:12.5+01:00' AS timestamp)", "2024-02-29T09:11:12.500000Z")]
    [InlineData("CAST(CAST('2024-02-29T10:11:12Z' AS timestamp) AS string)", "2024-02-29T10:11:12Z")]
    [InlineData("CAST(CAST('2024-02-29T10:11:12.25Z' AS timestamp) AS string)", "2024-02-29T10:11:12.250000Z")]
    [InlineData("CAST(CAST('2024-02-29T23:59:59Z' AS timestamp) AS date)", "2024-02-29")]
    [InlineData("CAST(CAST('2024-02-29' AS date) AS timestamp)", "2024-02-29T00:00:00.000000Z")]
    [InlineData("CAST(NULL AS date)", null)]
    public void Casts_convert_values(string text, object? expected) => Assert.Equal(expected, Scalar(text));

    [Fact]
    public void Decimal_casts()
    {
        Assert.Equal(12.34m, Scalar("CAST('12.34' AS decimal)"));
        Assert.Equal(2m, Scalar("CAST(2 AS decimal)"));
        Assert.Equal(0.25m, Scalar("CAST(0.25e0 AS decimal)"));
    }

    [Theory]
    [InlineData("CAST('abc' AS int64)", "cannot cast 'abc' to int64 in CAST('abc' AS int64)")]
    [InlineData("CAST('1.5' AS int64)", "cannot cast '1.5' to int64")]
    [InlineData("CAST('maybe' AS bool)", "cannot cast 'maybe' to bool")]
    [InlineData("CAST('2024-02-30' AS date)", "cannot cast '2024-02-30' to date")]
    [InlineData("CAST('yesterday' AS timestamp)", "cannot cast 'yesterday' to timestamp")]
    [InlineData("CAST(1e30 AS int64)", "cannot cast 1E+30 to int64")]
    [InlineData("CAST(1e30 AS decimal)", "cannot cast 1E+30 to decimal")]
    public void Failed_casts_are_row_errors_with_null_results(string text, string message)
    {
        // In a CASE branch, so that it is not a constant that always fails (a compile error, see ConstantTests).
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { null }, Eval($"CASE WHEN unused = 0 THEN {text} END", One(), errors));
        var error = Assert.Single(errors);
        Assert.Equal(0, error.Row);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Casting_a_column_fails_only_the_bad_rows()
    {
        var batch = Batch(("s", Strings("1", "x", null, "3")));
        var errors = new List<RowError>();
        Assert.Equal(new object?[] { 1L, null, null, 3L }, Eval("CAST(s AS int64)", batch, errors));
        Assert.Equal(1, Assert.Single(errors).Row);
    }
}
