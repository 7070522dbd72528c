using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>abs, floor, ceil, round for int64, float64 and decimal columns (the result keeps the argument's type).</summary>
internal static class Numbers
{
    public static Kernel Abs(Kernel x, string text) => Unary(x,
        (v, c) => VecOps.TryMap<long, long>((Vec<long>)v, (long a, out long r) => { r = a == long.MinValue ? 0 : Math.Abs(a); return a != long.MinValue; },
            c, _ => $"int64 overflow in {text}"),
        v => VecOps.Map((Vec<double>)v, Math.Abs),
        v => VecOps.Map((Vec<decimal>)v, Math.Abs));

    public static Kernel Floor(Kernel x, string text) => Unary(x, (v, _) => v,
        v => VecOps.Map((Vec<double>)v, Math.Floor),
        v => VecOps.Map((Vec<decimal>)v, Math.Floor));

    public static Kernel Ceiling(Kernel x, string text) => Unary(x, (v, _) => v,
        v => VecOps.Map((Vec<double>)v, Math.Ceiling),
        v => VecOps.Map((Vec<decimal>)v, Math.Ceiling));

    /// <summary>Rounds half away from zero (as SQL does), to <paramref name="digits"/> decimal places; int64 is unchanged.</summary>
    public static Kernel Round(Kernel x, int digits) => Unary(x, (v, _) => v,
        v => VecOps.Map((Vec<double>)v, a => Math.Round(a, digits, MidpointRounding.AwayFromZero)),
        v => VecOps.Map((Vec<decimal>)v, a => Math.Round(a, digits, MidpointRounding.AwayFromZero)));

    private static Kernel Unary(Kernel x, Func<Vec, EvalContext, Vec> int64, Func<Vec, Vec> float64, Func<Vec, Vec> dec) =>
        new FunctionKernel(x.Type, [x], x.Type switch
        {
            FieldType.Int64 => (v, c) => int64(v[0], c),
            FieldType.Float64 => (v, _) => float64(v[0]),
            _ => (v, _) => dec(v[0]),
        });
}
