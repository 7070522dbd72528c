using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>A library function: evaluates its arguments, then runs <paramref name="body"/> over the argument columns.</summary>
internal sealed class FunctionKernel(FieldType type, IReadOnlyList<Kernel> args, Func<Vec[], EvalContext, Vec> body) : Kernel(type)
{
    public override Vec Evaluate(EvalContext context)
    {
        var values = new Vec[args.Count];
        for (int i = 0; i < values.Length; i++) values[i] = args[i].Evaluate(context);
        return body(values, context);
    }
}
