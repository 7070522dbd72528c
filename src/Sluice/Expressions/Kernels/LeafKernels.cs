using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>Reads a batch column (through the context cache, so a column used several times is read once).</summary>
internal sealed class ColumnKernel(FieldType type, int batchIndex, int slot) : Kernel(type)
{
    public override Vec Evaluate(EvalContext context) =>
        context.Column(slot, () => ArrowReader.Read(context.Batch.Column(batchIndex)));
}

/// <summary>
/// A constant, broadcast to the batch length. The broadcast vector is immutable, so it is kept and reused for every
/// batch of the same length. <paramref name="value"/> is null for NULL, else the storage value (a UTF-8 byte[] for strings).
/// </summary>
internal sealed class LiteralKernel(FieldType type, object? value) : Kernel(type)
{
    private Vec? _last;

    /// <summary>The storage value; null for NULL.</summary>
    public object? Value => value;

    public override Vec Evaluate(EvalContext context)
    {
        var last = _last;
        if (last is not null && last.Length == context.Length) return last;
        return _last = Broadcast(context.Length);
    }

    private Vec Broadcast(int n)
    {
        bool[]? valid = value is null ? new bool[n] : null;
        return value switch
        {
            bool b => Fill(b, n),
            long l => Fill(l, n),
            double d => Fill(d, n),
            decimal m => Fill(m, n),
            int days => Fill(days, n),
            byte[] s => Repeat(s, n),
            null => Type switch
            {
                FieldType.Bool => new Vec<bool>(new bool[n], valid),
                FieldType.Int64 or FieldType.Timestamp => new Vec<long>(new long[n], valid),
                FieldType.Float64 => new Vec<double>(new double[n], valid),
                FieldType.Decimal => new Vec<decimal>(new decimal[n], valid),
                FieldType.Date => new Vec<int>(new int[n], valid),
                _ => new StrVec([], new int[n + 1], valid),
            },
            _ => throw new InvalidOperationException($"unexpected literal {value.GetType().Name}"),
        };
    }

    private static Vec<T> Fill<T>(T value, int n) where T : unmanaged
    {
        var values = new T[n];
        Array.Fill(values, value);
        return new Vec<T>(values, null);
    }

    private static StrVec Repeat(byte[] value, int n)
    {
        var builder = new StrBuilder(n, value.Length * n);
        for (int i = 0; i < n; i++) builder.Append(value);
        return builder.Build();
    }
}
