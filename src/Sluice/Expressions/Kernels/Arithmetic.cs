using Sluice.Records;

namespace Sluice.Expressions.Kernels;

internal enum ArithFailure { None, DivisionByZero, Overflow }

/// <summary>A binary arithmetic operation on one storage type; reports failures instead of throwing or wrapping.</summary>
internal interface IArith<T>
{
    static abstract ArithFailure Apply(T a, T b, out T result);
}

/// <summary>
/// <c>left op right</c> over two columns of the same storage type. Generic over a struct operation so the JIT emits a
/// specialised loop per (type, operator) with the operation inlined.
/// </summary>
internal sealed class ArithKernel<T, TOp>(FieldType type, Kernel left, Kernel right, string text) : Kernel(type)
    where T : unmanaged where TOp : struct, IArith<T>
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = (Vec<T>)left.Evaluate(context);
        var b = (Vec<T>)right.Evaluate(context);
        var valid = Validity.And(a.Valid, b.Valid);
        var av = a.Values;
        var bv = b.Values;
        var result = new T[av.Length];
        for (int i = 0; i < result.Length; i++)
        {
            var failure = TOp.Apply(av[i], bv[i], out result[i]);
            if (failure != ArithFailure.None && (valid is null || valid[i])) Fail(context, ref valid, i, failure);
        }
        return new Vec<T>(result, valid);
    }

    private void Fail(EvalContext context, ref bool[]? valid, int row, ArithFailure failure)
    {
        Validity.SetNull(ref valid, row, context.Length);
        context.Fail(row, failure == ArithFailure.DivisionByZero ? $"division by zero in {text}" : $"{Type.Name()} overflow in {text}");
    }
}

internal readonly struct Add : IArith<long>, IArith<double>, IArith<decimal>
{
    public static ArithFailure Apply(long a, long b, out long r)
    {
        r = unchecked(a + b);
        return ((a ^ r) & (b ^ r)) < 0 ? ArithFailure.Overflow : ArithFailure.None;
    }

    public static ArithFailure Apply(double a, double b, out double r) { r = a + b; return ArithFailure.None; }

    public static ArithFailure Apply(decimal a, decimal b, out decimal r) => Decimals.Try(a, b, static (x, y) => x + y, out r);
}

internal readonly struct Subtract : IArith<long>, IArith<double>, IArith<decimal>
{
    public static ArithFailure Apply(long a, long b, out long r)
    {
        r = unchecked(a - b);
        return ((a ^ b) & (a ^ r)) < 0 ? ArithFailure.Overflow : ArithFailure.None;
    }

    public static ArithFailure Apply(double a, double b, out double r) { r = a - b; return ArithFailure.None; }

    public static ArithFailure Apply(decimal a, decimal b, out decimal r) => Decimals.Try(a, b, static (x, y) => x - y, out r);
}

internal readonly struct Multiply : IArith<long>, IArith<double>, IArith<decimal>
{
    public static ArithFailure Apply(long a, long b, out long r)
    {
        long high = Math.BigMul(a, b, out r);
        return high != (r >> 63) ? ArithFailure.Overflow : ArithFailure.None;
    }

    public static ArithFailure Apply(double a, double b, out double r) { r = a * b; return ArithFailure.None; }

    public static ArithFailure Apply(decimal a, decimal b, out decimal r) => Decimals.Try(a, b, static (x, y) => x * y, out r);
}

/// <summary>Division; int64 / int64 truncates toward zero like SQL. Any division by zero is a row error, never NaN or ∞.</summary>
internal readonly struct Divide : IArith<long>, IArith<double>, IArith<decimal>
{
    public static ArithFailure Apply(long a, long b, out long r)
    {
        r = 0;
        if (b == 0) return ArithFailure.DivisionByZero;
        if (b == -1 && a == long.MinValue) return ArithFailure.Overflow;
        r = a / b;
        return ArithFailure.None;
    }

    public static ArithFailure Apply(double a, double b, out double r)
    {
        r = b == 0 ? 0 : a / b;
        return b == 0 ? ArithFailure.DivisionByZero : ArithFailure.None;
    }

    public static ArithFailure Apply(decimal a, decimal b, out decimal r)
    {
        r = 0;
        return b == 0 ? ArithFailure.DivisionByZero : Decimals.Try(a, b, static (x, y) => x / y, out r);
    }
}

/// <summary>Remainder with the sign of the dividend (C# and SQL agree).</summary>
internal readonly struct Modulo : IArith<long>, IArith<double>, IArith<decimal>
{
    public static ArithFailure Apply(long a, long b, out long r)
    {
        r = b is 0 or -1 ? 0 : a % b;
        return b == 0 ? ArithFailure.DivisionByZero : ArithFailure.None;
    }

    public static ArithFailure Apply(double a, double b, out double r)
    {
        r = b == 0 ? 0 : a % b;
        return b == 0 ? ArithFailure.DivisionByZero : ArithFailure.None;
    }

    public static ArithFailure Apply(decimal a, decimal b, out decimal r)
    {
        r = b == 0 ? 0 : a % b;
        return b == 0 ? ArithFailure.DivisionByZero : ArithFailure.None;
    }
}

internal static class Decimals
{
    /// <summary>C# decimal reports overflow by throwing; that only happens on the failing row, so the cost is acceptable.</summary>
    public static ArithFailure Try(decimal a, decimal b, Func<decimal, decimal, decimal> op, out decimal r)
    {
        try
        {
            r = op(a, b);
            return ArithFailure.None;
        }
        catch (OverflowException)
        {
            r = 0;
            return ArithFailure.Overflow;
        }
    }
}
