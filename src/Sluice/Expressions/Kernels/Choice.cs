using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>Assembles a result column by taking each row from one of several same-typed columns.</summary>
internal static class Choice
{
    /// <summary><paramref name="pick"/>[i] is the index of the source for row i, or -1 for NULL.</summary>
    public static Vec Rows(FieldType type, Vec[] sources, int[] pick) => type switch
    {
        FieldType.Bool => Rows<bool>(sources, pick),
        FieldType.Int64 or FieldType.Timestamp => Rows<long>(sources, pick),
        FieldType.Float64 => Rows<double>(sources, pick),
        FieldType.Decimal => Rows<decimal>(sources, pick),
        FieldType.Date => Rows<int>(sources, pick),
        _ => Strings(sources, pick),
    };

    private static Vec<T> Rows<T>(Vec[] sources, int[] pick) where T : unmanaged
    {
        var values = new T[pick.Length];
        bool[]? valid = null;
        for (int i = 0; i < pick.Length; i++)
        {
            if (pick[i] >= 0 && sources[pick[i]].IsValid(i)) values[i] = ((Vec<T>)sources[pick[i]]).Values[i];
            else Validity.SetNull(ref valid, i, pick.Length);
        }
        return new Vec<T>(values, valid);
    }

    private static StrVec Strings(Vec[] sources, int[] pick)
    {
        var builder = new StrBuilder(pick.Length, sources.Length == 0 ? 0 : ((StrVec)sources[0]).Data.Length);
        for (int i = 0; i < pick.Length; i++)
        {
            if (pick[i] >= 0 && sources[pick[i]].IsValid(i)) builder.Append(((StrVec)sources[pick[i]])[i]);
            else builder.AppendNull();
        }
        return builder.Build();
    }

    public static int[] NoneYet(int length)
    {
        var pick = new int[length];
        Array.Fill(pick, -1);
        return pick;
    }
}

/// <summary>Searched CASE: each THEN (and the ELSE) runs only on the rows that select it.</summary>
internal sealed class CaseKernel(FieldType type, IReadOnlyList<(Kernel When, Kernel Then)> arms, Kernel? otherwise) : Kernel(type)
{
    public override Vec Evaluate(EvalContext context)
    {
        int n = context.Length;
        var remaining = Validity.AllValid(n);
        var pick = Choice.NoneYet(n);
        var sources = new Vec[arms.Count + 1];
        for (int k = 0; k < arms.Count; k++)
        {
            var when = (Vec<bool>)context.Within((bool[])remaining.Clone(), arms[k].When);
            var taken = new bool[n];
            for (int i = 0; i < n; i++)
            {
                taken[i] = remaining[i] && when.IsValid(i) && when.Values[i];
                if (taken[i]) { remaining[i] = false; pick[i] = k; }
            }
            sources[k] = context.Within(taken, arms[k].Then);
        }
        if (otherwise is not null)
        {
            for (int i = 0; i < n; i++) if (remaining[i]) pick[i] = arms.Count;
            sources[arms.Count] = context.Within(remaining, otherwise);
        }
        return Choice.Rows(Type, sources, pick);
    }
}

/// <summary>COALESCE: the first non-NULL argument; later arguments only run on rows still NULL.</summary>
internal sealed class CoalesceKernel(FieldType type, IReadOnlyList<Kernel> args) : Kernel(type)
{
    public override Vec Evaluate(EvalContext context)
    {
        int n = context.Length;
        var remaining = Validity.AllValid(n);
        var pick = Choice.NoneYet(n);
        var sources = new Vec[args.Count];
        for (int k = 0; k < args.Count; k++)
        {
            sources[k] = context.Within((bool[])remaining.Clone(), args[k]);
            for (int i = 0; i < n; i++)
                if (remaining[i] && sources[k].IsValid(i)) { remaining[i] = false; pick[i] = k; }
        }
        return Choice.Rows(Type, sources, pick);
    }
}

/// <summary>LEAST / GREATEST: NULL arguments are skipped (as in PostgreSQL); NULL only when every argument is NULL.</summary>
internal sealed class ExtremeKernel(FieldType type, IReadOnlyList<Kernel> args, bool greatest) : Kernel(type)
{
    public override Vec Evaluate(EvalContext context)
    {
        var sources = args.Select(a => a.Evaluate(context)).ToArray();
        var pick = Choice.NoneYet(context.Length);
        for (int k = 0; k < sources.Length; k++)
            for (int i = 0; i < pick.Length; i++)
                if (sources[k].IsValid(i) && (pick[i] < 0 || Better(sources[k], sources[pick[i]], i)))
                    pick[i] = k;
        return Choice.Rows(Type, sources, pick);
    }

    private bool Better(Vec candidate, Vec best, int i)
    {
        int c = candidate switch
        {
            Vec<bool> v => v.Values[i].CompareTo(((Vec<bool>)best).Values[i]),
            Vec<long> v => v.Values[i].CompareTo(((Vec<long>)best).Values[i]),
            Vec<double> v => v.Values[i].CompareTo(((Vec<double>)best).Values[i]),
            Vec<decimal> v => v.Values[i].CompareTo(((Vec<decimal>)best).Values[i]),
            Vec<int> v => v.Values[i].CompareTo(((Vec<int>)best).Values[i]),
            StrVec v => v[i].SequenceCompareTo(((StrVec)best)[i]),
            _ => 0,
        };
        return greatest ? c > 0 : c < 0;
    }
}
