using System.Text;
using Sluice.Expressions;
using static Sluice.Tests.Expressions.Rows;

namespace Sluice.Tests.Expressions;

/// <summary>
/// Hostile expressions: deep nesting is refused with a positioned error instead of overflowing the stack, long runs of
/// AND / OR / || / IN cost memory in proportion to their length, and whatever the parser lets through compiles and
/// evaluates on a thread with a small stack (so the limit protects every pass after the parser, not just the parser).
/// </summary>
public class LimitTests
{
    private const int Max = 100; // docs/expressions.md, "Limits"

    private static readonly Apache.Arrow.RecordBatch Two = Batch(("x", Longs(1, 2)), ("s", Strings("a", "b")));

    private static string Repeat(string part, int times) => new StringBuilder().Insert(0, part, times).ToString();

    /// <summary>Runs <paramref name="action"/> on a thread with a 512 kB stack, a third of a .NET thread's default on
    /// Linux: what the limit lets through must fit with room to spare.</summary>
    private static void OnSmallStack(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 512 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
    }

    public static TheoryData<string, string> TooDeep => new()
    {
        { "5,000 parentheses", Repeat("(", 5000) + "x" + Repeat(")", 5000) + " > 0" },
        { "3,000 nested CASE", Repeat("CASE WHEN x > 0 THEN 1 ELSE ", 3000) + "0" + Repeat(" END", 3000) + " > 0" },
        { "5,000 NOT", Repeat("NOT ", 5000) + "x > 0" },
        { "5,000 unary minus", Repeat("-", 5000) + "x > 0" },
        { "5,000 nested calls", Repeat("abs(", 5000) + "x" + Repeat(")", 5000) + " > 0" },
        { "5,000 nested CAST", Repeat("CAST(", 5000) + "x" + Repeat(" AS int64)", 5000) + " > 0" },
        { "10,000 + terms", "x" + Repeat(" + x", 10000) + " > 0" },
        { "10,000 * terms", "x" + Repeat(" * 1", 10000) + " > 0" },
        { "5,000 IS NULL", "x" + Repeat(" IS NULL", 5000) },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Deep_nesting_is_a_positioned_error_naming_the_limit(string what, string text)
    {
        var e = Error(text, Two);
        Assert.Contains($"nested too deeply: more than {Max} levels", e.Message);
        Assert.Contains("split it into several derived columns", e.Message);
        Assert.Equal(1, e.Line);
        Assert.InRange(e.Column, 2, text.Length);
        Assert.True(e.Message.Length < 500, what);
    }

    public static TheoryData<string, string, object> AtTheLimit => new()
    {
        { "parentheses", Repeat("(", Max - 2) + "x" + Repeat(")", Max - 2) + " > 1", new object[] { false, true } },
        { "CASE", Repeat("CASE WHEN x > 1 THEN 1 ELSE ", Max / 3) + "0" + Repeat(" END", Max / 3) + " = 1", new object[] { false, true } },
        { "NOT", Repeat("NOT ", Max - 2) + "x > 1", new object[] { false, true } },
        { "unary minus", Repeat("- ", Max - 2) + "x > 1", new object[] { false, true } },
        { "calls", Repeat("abs(", Max - 2) + "x" + Repeat(")", Max - 2) + " > 1", new object[] { false, true } },
        { "a + chain", "x" + Repeat(" + 0", Max - 2) + " > 1", new object[] { false, true } },
        { "mixed", Repeat("(x * 2 - abs(", Max / 2 - 2) + "x" + Repeat("))", Max / 2 - 2) + " > 1", new object[] { false, true } },
    };

    [Theory]
    [MemberData(nameof(AtTheLimit))]
    public void Expressions_at_the_limit_compile_and_evaluate_on_a_small_stack(string what, string text, object expected)
    {
        object?[]? rows = null;
        OnSmallStack(() => rows = Eval(text, Two));
        Assert.True(((object[])expected).SequenceEqual(rows!), what);
    }

    [Fact]
    public void Ten_thousand_ANDed_comparisons_evaluate_in_memory_proportional_to_the_expression()
    {
        string text = string.Join(" AND ", Enumerable.Range(0, 10_000).Select(i => $"x > -{i}"));
        object?[]? rows = null;
        long allocated = 0;
        OnSmallStack(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            rows = Eval(text, Two);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        Assert.Equal([true, true], rows);
        // The text is 130 kB; before, every AND node kept a copy of its whole prefix (about 1 GB).
        Assert.True(allocated < 100_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Long_runs_of_OR_concatenation_and_IN_do_not_nest()
    {
        OnSmallStack(() =>
        {
            Assert.Equal([true, true], Eval(string.Join(" OR ", Enumerable.Range(0, 10_000).Select(i => $"x = {i}")), Two));
            Assert.Equal([10_000L, 10_000L], Eval("length(" + string.Join(" || ", Enumerable.Repeat("s", 10_000)) + ")", Two));
            Assert.Equal([true, true], Eval("x IN (" + string.Join(", ", Enumerable.Range(0, 10_000)) + ")", Two));
        });
    }

    [Fact]
    public void A_long_expression_is_shortened_in_messages()
    {
        string text = "x" + Repeat(" + x", 90) + " + s";
        var e = Error(text, Two);
        Assert.Contains("'+' needs numbers but 's' is string", e.Message);
        var overflow = new List<RowError>();
        Eval("x" + Repeat(" + 0", 90) + " + 9223372036854775807 > 0", Two, overflow);
        Assert.Equal(2, overflow.Count);
        Assert.True(overflow[0].Message.Length < 200, overflow[0].Message);
        Assert.Contains(" … ", overflow[0].Message);
    }
}
