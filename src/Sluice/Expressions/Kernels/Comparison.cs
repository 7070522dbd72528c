using System.Numerics;
using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>A comparison operator, applied either to two values or to a three-way comparison result against 0.</summary>
internal interface ICompare
{
    static abstract bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool>;
}

internal readonly struct Eq : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a == b; }

internal readonly struct Ne : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b; }

internal readonly struct Lt : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a < b; }

internal readonly struct Le : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a <= b; }

internal readonly struct Gt : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b; }

internal readonly struct Ge : ICompare { public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a >= b; }

/// <summary>Compares two numeric/date/timestamp columns of the same storage type; NULL on either side gives NULL.</summary>
internal sealed class CompareKernel<T, TOp>(Kernel left, Kernel right) : Kernel(FieldType.Bool)
    where T : unmanaged, IComparisonOperators<T, T, bool> where TOp : struct, ICompare
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = (Vec<T>)left.Evaluate(context);
        var b = (Vec<T>)right.Evaluate(context);
        var av = a.Values;
        var bv = b.Values;
        var result = new bool[av.Length];
        for (int i = 0; i < result.Length; i++) result[i] = TOp.Test(av[i], bv[i]);
        return new Vec<bool>(result, Validity.And(a.Valid, b.Valid));
    }
}

/// <summary>Compares strings by their UTF-8 bytes, which orders them by Unicode code point (ordinal, case-sensitive).</summary>
internal sealed class StringCompareKernel<TOp>(Kernel left, Kernel right) : Kernel(FieldType.Bool) where TOp : struct, ICompare
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = (StrVec)left.Evaluate(context);
        var b = (StrVec)right.Evaluate(context);
        var result = new bool[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = TOp.Test(a[i].SequenceCompareTo(b[i]), 0);
        return new Vec<bool>(result, Validity.And(a.Valid, b.Valid));
    }
}

/// <summary>Compares booleans with FALSE &lt; TRUE.</summary>
internal sealed class BoolCompareKernel<TOp>(Kernel left, Kernel right) : Kernel(FieldType.Bool) where TOp : struct, ICompare
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = (Vec<bool>)left.Evaluate(context);
        var b = (Vec<bool>)right.Evaluate(context);
        var result = new bool[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = TOp.Test(a.Values[i] ? 1 : 0, b.Values[i] ? 1 : 0);
        return new Vec<bool>(result, Validity.And(a.Valid, b.Valid));
    }
}
