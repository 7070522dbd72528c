using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// A compiled operation that computes a whole column for a batch. The tree of kernels is walked once per batch;
/// the per-row work is the loop inside each kernel.
/// </summary>
internal abstract class Kernel(FieldType type)
{
    public FieldType Type { get; } = type;

    public abstract Vec Evaluate(EvalContext context);
}
