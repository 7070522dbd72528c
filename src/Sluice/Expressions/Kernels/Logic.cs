using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// SQL three-valued AND (<paramref name="isAnd"/>) or OR over any number of operands, folded left to right in one
/// loop (a run of 10,000 ANDs is neither 10,000 nested calls nor more than a few row-sized arrays at a time).
/// FALSE AND x = FALSE and TRUE OR x = TRUE even when x is NULL; each operand only runs (for errors) on the rows the
/// operands before it do not decide.
/// </summary>
internal sealed class LogicKernel(IReadOnlyList<Kernel> operands, bool isAnd) : Kernel(FieldType.Bool)
{
    public LogicKernel(Kernel left, Kernel right, bool isAnd) : this([left, right], isAnd) { }

    public override Vec Evaluate(EvalContext context)
    {
        var result = (Vec<bool>)operands[0].Evaluate(context);
        for (int k = 1; k < operands.Count; k++) result = Combine(context, result, operands[k]);
        return result;
    }

    private Vec<bool> Combine(EvalContext context, Vec<bool> a, Kernel right)
    {
        int n = a.Length;
        var undecided = new bool[n];
        for (int i = 0; i < n; i++) undecided[i] = !a.IsValid(i) || a.Values[i] == isAnd;
        var b = (Vec<bool>)context.Within(undecided, right);
        var av = a.Values;
        var bv = b.Values;
        var result = new bool[n];
        if (a.Valid is null && b.Valid is null)
        {
            if (isAnd) for (int i = 0; i < n; i++) result[i] = av[i] & bv[i];
            else for (int i = 0; i < n; i++) result[i] = av[i] | bv[i];
            return new Vec<bool>(result, null);
        }
        var valid = new bool[n];
        for (int i = 0; i < n; i++)
        {
            bool va = a.IsValid(i), vb = b.IsValid(i);
            // A known operand equal to the dominant value (FALSE for AND, TRUE for OR) decides the result alone.
            bool decidedByA = va && av[i] != isAnd, decidedByB = vb && bv[i] != isAnd;
            valid[i] = (va && vb) || decidedByA || decidedByB;
            result[i] = decidedByA || decidedByB ? !isAnd : isAnd;
        }
        return new Vec<bool>(result, valid);
    }
}

internal sealed class NotKernel(Kernel operand) : Kernel(FieldType.Bool)
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = (Vec<bool>)operand.Evaluate(context);
        var result = new bool[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = !a.Values[i];
        return new Vec<bool>(result, (bool[]?)a.Valid?.Clone());
    }
}

/// <summary>IS [NOT] NULL: never NULL itself.</summary>
internal sealed class IsNullKernel(Kernel operand, bool negated) : Kernel(FieldType.Bool)
{
    public override Vec Evaluate(EvalContext context)
    {
        var a = operand.Evaluate(context);
        var result = new bool[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = a.IsValid(i) == negated;
        return new Vec<bool>(result, null);
    }
}
