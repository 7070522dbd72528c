using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

public class CompileErrorTests
{
    private static readonly Apache.Arrow.RecordBatch Flights = Batch(
        ("date", Timestamps("2024-01-01T00:00:00Z")), ("delay", Longs(5)), ("distance", Longs(100)),
        ("origin", Strings("AMS")), ("day", Dates("2024-01-01")), ("late", Bools(true)), ("my col", Longs(1)));

    [Theory]
    [InlineData("delay > (1 + 2", 1, 15, "expected ')' after '1 + 2' but found end of expression")]
    [InlineData("delay >", 1, 8, "expected an expression after '>'")]
    [InlineData("delay 5", 1, 7, "unexpected '5' after 'delay'")]
    [InlineData("lower(origin", 1, 13, "expected ')' or ',' after 'origin'")]
    [InlineData("origin = 'AMS", 1, 10, "unterminated string")]
    [InlineData("delay # 3", 1, 7, "unexpected character '#'")]
    [InlineData("CASE WHEN late THEN 1", 1, 22, "expected END")]
    [InlineData("delay IS 5", 1, 10, "expected NULL after 'IS'")]
    [InlineData("delay BETWEEN 1 5", 1, 17, "expected AND after 'BETWEEN 1'")]
    [InlineData("CAST(delay int64)", 1, 12, "expected AS after 'CAST(delay'")]
    [InlineData("", 1, 1, "empty expression")]
    public void Parse_errors_point_at_the_offending_token(string text, int line, int column, string message)
    {
        var e = Error(text, Flights);
        Assert.Contains(message, e.Message);
        Assert.Equal((line, column), (e.Line, e.Column));
    }

    [Fact]
    public void Positions_count_lines_and_columns_in_multi_line_text()
    {
        var e = Error("delay > 15\n  AND distance <\n    'x' OR", Flights);
        Assert.Equal((3, 11), (e.Line, e.Column));
        var typeError = Error("delay > 15 AND\n  dela < 3", Flights);
        Assert.Equal((2, 3), (typeError.Line, typeError.Column));
    }

    [Fact]
    public void Unknown_column_lists_the_columns_and_suggests_the_closest()
    {
        var e = Error("dela > 15", Flights);
        Assert.Equal("unknown column 'dela'; did you mean 'delay'?; columns are: date, delay, distance, origin, day, late, my col", e.Message);
        Assert.Equal((1, 1), (e.Line, e.Column));
        Assert.DoesNotContain("did you mean", Error("zzzzzz > 1", Flights).Message);
    }

    [Fact]
    public void Column_names_are_case_sensitive_and_quoted_names_may_contain_spaces()
    {
        Assert.Contains("did you mean 'delay'", Error("Delay > 1", Flights).Message);
        Assert.Equal(new object?[] { 2L }, Eval("\"my col\" + 1", Flights));
    }

    [Fact]
    public void Unknown_function_lists_the_available_ones()
    {
        var e = Error("lowr(origin)", Flights);
        Assert.StartsWith("unknown function 'lowr'; did you mean lower?; functions are: abs, ceil, coalesce", e.Message);
        Assert.Contains("year", e.Message);
    }

    [Fact]
    public void Wrong_argument_count_names_the_signature()
    {
        var e = Error("substr(origin)", Flights);
        Assert.Equal("substr takes 2 to 3 arguments but got 1; write substr(s, start[, length])", e.Message);
    }

    [Theory]
    [InlineData("delay > 'x'", 7, "cannot compare int64 with string (delay > 'x'); CAST one side")]
    [InlineData("delay AND late", 1, "AND needs bool but 'delay' is int64")]
    [InlineData("NOT origin", 5, "NOT needs bool but 'origin' is string")]
    [InlineData("origin + 1", 1, "'+' needs numbers but 'origin' is string; use || to join strings")]
    [InlineData("delay * late", 9, "'*' needs numbers but 'late' is bool")]
    [InlineData("-origin", 2, "unary minus needs a number")]
    [InlineData("delay || 'x'", 1, "|| needs string but 'delay' is int64")]
    [InlineData("origin LIKE 5", 13, "LIKE needs string but '5' is int64")]
    [InlineData("CASE WHEN late THEN 1 ELSE 'x' END", 28, "CASE mixes int64 (1) and string ('x'); CAST one of them")]
    [InlineData("CASE WHEN delay THEN 1 END", 11, "WHEN needs bool but 'delay' is int64")]
    [InlineData("delay IN (1, 'a')", 14, "IN mixes int64 (delay) and string ('a')")]
    [InlineData("CAST(day AS int64)", 1, "cannot cast date to int64")]
    [InlineData("CAST(delay AS text)", 15, "unknown type 'text'; types are: bool, int64, float64, decimal, string, date, timestamp")]
    [InlineData("date > '2024-13-01'", 8, "'2024-13-01' is not a valid timestamp")]
    [InlineData("day = 'soon'", 7, "'soon' is not a valid date; write it like '2024-01-31'")]
    [InlineData("NULL", 1, "NULL has no type here")]
    [InlineData("abs(origin)", 5, "abs needs a number but 'origin' is string")]
    [InlineData("year(delay)", 6, "year needs a date or timestamp but 'delay' is int64")]
    [InlineData("round(delay, distance)", 14, "round's digits must be a whole number")]
    [InlineData("99999999999999999999999999999999", 1, "number 99999999999999999999999999999999 is too large")]
    public void Type_errors_say_what_is_wrong_where(string text, int column, string message)
    {
        var e = Error(text, Flights);
        Assert.Contains(message, e.Message);
        Assert.Equal((1, column), (e.Line, e.Column));
    }

    [Fact]
    public void Columns_of_unsupported_Arrow_types_are_compile_errors_only_when_referenced()
    {
        var list = new Apache.Arrow.BinaryArray.Builder().Append((byte)1).Build();
        var batch = Batch(("blob", list), ("n", Longs(1)));
        Assert.Equal(new object?[] { 2L }, Eval("n + 1", batch));
        Assert.Contains("column 'blob' has Arrow type", Error("blob IS NULL", batch).Message);
    }

    [Fact]
    public void Columns_lists_referenced_names_once_in_first_use_order()
    {
        var compiled = Sluice.Expressions.SqlExpression.Compile("distance > delay AND delay > 0 OR origin = 'x'", Flights.Schema);
        Assert.Equal(["distance", "delay", "origin"], compiled.Columns);
        Assert.Equal(FieldType.Bool, compiled.ResultType);
    }
}
