using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>Picks the specialised kernel for an operator and the (already unified) storage type of its operands.</summary>
internal static class KernelFactory
{
    public static Kernel Compare(string op, Kernel left, Kernel right) => op switch
    {
        "=" => Compare<Eq>(left, right),
        "<>" => Compare<Ne>(left, right),
        "<" => Compare<Lt>(left, right),
        "<=" => Compare<Le>(left, right),
        ">" => Compare<Gt>(left, right),
        ">=" => Compare<Ge>(left, right),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static Kernel Compare<TOp>(Kernel left, Kernel right) where TOp : struct, ICompare => left.Type switch
    {
        FieldType.Int64 or FieldType.Timestamp => new CompareKernel<long, TOp>(left, right),
        FieldType.Float64 => new CompareKernel<double, TOp>(left, right),
        FieldType.Decimal => new CompareKernel<decimal, TOp>(left, right),
        FieldType.Date => new CompareKernel<int, TOp>(left, right),
        FieldType.String => new StringCompareKernel<TOp>(left, right),
        _ => new BoolCompareKernel<TOp>(left, right),
    };

    /// <summary>Arithmetic on int64, float64 or decimal operands; <paramref name="text"/> names the expression in row errors.</summary>
    public static Kernel Arithmetic(string op, Kernel left, Kernel right, string text) => op switch
    {
        "+" => Arithmetic<Add>(left, right, text),
        "-" => Arithmetic<Subtract>(left, right, text),
        "*" => Arithmetic<Multiply>(left, right, text),
        "/" => Arithmetic<Divide>(left, right, text),
        "%" => Arithmetic<Modulo>(left, right, text),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static Kernel Arithmetic<TOp>(Kernel left, Kernel right, string text)
        where TOp : struct, IArith<long>, IArith<double>, IArith<decimal> => left.Type switch
    {
        FieldType.Int64 => new ArithKernel<long, TOp>(left.Type, left, right, text),
        FieldType.Float64 => new ArithKernel<double, TOp>(left.Type, left, right, text),
        _ => new ArithKernel<decimal, TOp>(left.Type, left, right, text),
    };

    /// <summary>A typed NULL constant.</summary>
    public static Kernel Null(FieldType type) => new LiteralKernel(type, null);

    /// <summary>Zero of a numeric type, for unary minus as <c>0 - x</c>.</summary>
    public static Kernel Zero(FieldType type) => new LiteralKernel(type, type switch
    {
        FieldType.Int64 => 0L,
        FieldType.Float64 => 0d,
        _ => (object)0m,
    });
}

/// <summary>
/// A sub-expression used more than once by one construct (the subject of IN, BETWEEN, simple CASE): evaluated once per
/// batch and kept in the context. Its first use is always under the widest mask of its uses.
/// </summary>
internal sealed class SharedKernel(Kernel inner, int slot) : Kernel(inner.Type)
{
    public override Vec Evaluate(EvalContext context) => context.Column(slot, () => inner.Evaluate(context));
}
