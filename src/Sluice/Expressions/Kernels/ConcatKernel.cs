using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// Joins string columns row by row, copying UTF-8 bytes. With <see cref="SkipNulls"/> a NULL part counts as ''
/// (concat); otherwise any NULL part makes the row NULL (||).
/// </summary>
internal sealed class ConcatKernel(IReadOnlyList<Kernel> parts, bool skipNulls) : Kernel(FieldType.String)
{
    public IReadOnlyList<Kernel> Parts { get; } = parts;

    public bool SkipNulls { get; } = skipNulls;

    public override Vec Evaluate(EvalContext context)
    {
        var strings = new StrVec[Parts.Count];
        int bytes = 0;
        for (int k = 0; k < strings.Length; k++)
        {
            strings[k] = (StrVec)Parts[k].Evaluate(context);
            bytes += strings[k].Offsets[^1];
        }
        var builder = new StrBuilder(context.Length, bytes);
        for (int i = 0; i < context.Length; i++)
        {
            bool anyNull = false;
            foreach (var s in strings)
            {
                if (s.IsValid(i)) builder.Add(s[i]);
                else anyNull = true;
            }
            if (anyNull && !SkipNulls) builder.EndRowAsNull();
            else builder.Commit(0);
        }
        return builder.Build();
    }
}
