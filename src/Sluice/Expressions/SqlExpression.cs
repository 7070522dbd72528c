using Apache.Arrow;

namespace Sluice.Expressions;

/// <summary>Entry point of the expression language used by <c>filter</c> and <c>derive</c> (see docs/expressions.md).</summary>
internal static class SqlExpression
{
    /// <summary>Parses and type-checks <paramref name="text"/> against <paramref name="schema"/>; throws <see cref="ExpressionException"/> on any error.</summary>
    public static CompiledExpression Compile(string text, Schema schema)
    {
        var tree = Parser.Parse(text);
        var binder = new Binder(schema);
        var root = binder.BindRoot(tree);
        return new CompiledExpression(root, binder.Columns, binder.Slots);
    }
}
