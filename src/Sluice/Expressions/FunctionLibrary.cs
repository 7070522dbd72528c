using Sluice.Expressions.Kernels;
using Sluice.Records;

namespace Sluice.Expressions;

/// <summary>
/// The functions an expression may call (names case-insensitive). Each entry type-checks its arguments and builds its
/// kernel; nothing here can reach anything but the argument columns.
/// </summary>
internal static class FunctionLibrary
{
    private sealed record Function(string Signature, int MinArgs, int MaxArgs, Func<CallNode, Binder, Kernel> Bind);

    private static readonly Dictionary<string, Function> Functions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lower"] = new("lower(s)", 1, 1, (n, b) => StringToString(n, b, Strings.Lower)),
        ["upper"] = new("upper(s)", 1, 1, (n, b) => StringToString(n, b, Strings.Upper)),
        ["trim"] = new("trim(s)", 1, 1, (n, b) => StringToString(n, b, Strings.Trim)),
        ["ltrim"] = new("ltrim(s)", 1, 1, (n, b) => StringToString(n, b, Strings.TrimStart)),
        ["rtrim"] = new("rtrim(s)", 1, 1, (n, b) => StringToString(n, b, Strings.TrimEnd)),
        ["length"] = new("length(s)", 1, 1, (n, b) => new FunctionKernel(FieldType.Int64, [Arg(n, b, 0, FieldType.String)],
            (v, _) => VecOps.FromStr((StrVec)v[0], Strings.Length))),
        ["substr"] = new("substr(s, start[, length])", 2, 3, Substr),
        ["replace"] = new("replace(s, from, to)", 3, 3, Replace),
        ["starts_with"] = new("starts_with(s, prefix)", 2, 2, (n, b) => Predicate(n, b, static (s, p) => s.StartsWith(p))),
        ["ends_with"] = new("ends_with(s, suffix)", 2, 2, (n, b) => Predicate(n, b, static (s, p) => s.EndsWith(p))),
        ["contains"] = new("contains(s, part)", 2, 2, (n, b) => Predicate(n, b, static (s, p) => s.IndexOf(p) >= 0)),
        ["concat"] = new("concat(x, …)", 1, int.MaxValue, ConcatCall),
        ["coalesce"] = new("coalesce(x, …)", 1, int.MaxValue, CoalesceCall),
        ["nullif"] = new("nullif(a, b)", 2, 2, NullIf),
        ["least"] = new("least(x, …)", 1, int.MaxValue, (n, b) => Same(n, b, k => new ExtremeKernel(k[0].Type, k, greatest: false))),
        ["greatest"] = new("greatest(x, …)", 1, int.MaxValue, (n, b) => Same(n, b, k => new ExtremeKernel(k[0].Type, k, greatest: true))),
        ["abs"] = new("abs(x)", 1, 1, (n, b) => Numeric(n, b, Numbers.Abs)),
        ["floor"] = new("floor(x)", 1, 1, (n, b) => Numeric(n, b, Numbers.Floor)),
        ["ceil"] = new("ceil(x)", 1, 1, (n, b) => Numeric(n, b, Numbers.Ceiling)),
        ["round"] = new("round(x[, digits])", 1, 2, Round),
        ["year"] = new("year(d)", 1, 1, (n, b) => DatePart(n, b, FieldType.Date, Dates.Year)),
        ["month"] = new("month(d)", 1, 1, (n, b) => DatePart(n, b, FieldType.Date, Dates.Month)),
        ["day"] = new("day(d)", 1, 1, (n, b) => DatePart(n, b, FieldType.Date, Dates.Day)),
        ["hour"] = new("hour(ts)", 1, 1, (n, b) => DatePart(n, b, FieldType.Timestamp, Dates.Hour)),
        ["minute"] = new("minute(ts)", 1, 1, (n, b) => DatePart(n, b, FieldType.Timestamp, Dates.Minute)),
        ["date"] = new("date(ts)", 1, 1, DateOf),
    };

    public static Kernel Bind(CallNode call, Binder binder)
    {
        if (!Functions.TryGetValue(call.Name, out var function))
        {
            string? close = Suggest.Closest(call.Name, Functions.Keys);
            string hint = close is null ? "" : $"; did you mean {close}?";
            throw new ExpressionException(
                $"unknown function '{call.Name}'{hint}; functions are: {string.Join(", ", Functions.Keys.Order())}", call.At);
        }
        if (call.Args.Count < function.MinArgs || call.Args.Count > function.MaxArgs)
        {
            string expected = function.MinArgs == function.MaxArgs ? $"{function.MinArgs}" : function.MaxArgs == int.MaxValue
                ? $"at least {function.MinArgs}" : $"{function.MinArgs} to {function.MaxArgs}";
            throw new ExpressionException(
                $"{call.Name.ToLowerInvariant()} takes {expected} argument{(expected == "1" ? "" : "s")} but got {call.Args.Count}; write {function.Signature}", call.At);
        }
        return function.Bind(call, binder);
    }

    private static Kernel Arg(CallNode n, Binder b, int index, FieldType type) =>
        b.Expect(n.Args[index], type, $"argument {index + 1} of {n.Name.ToLowerInvariant()}");

    private static Kernel StringToString(CallNode n, Binder b, SpanWriter f) =>
        new FunctionKernel(FieldType.String, [Arg(n, b, 0, FieldType.String)], (v, _) => VecOps.Transform((StrVec)v[0], f));

    internal delegate bool SpanPredicate(ReadOnlySpan<byte> s, ReadOnlySpan<byte> other);

    private static Kernel Predicate(CallNode n, Binder b, SpanPredicate f) =>
        StringPredicate(Arg(n, b, 0, FieldType.String), Arg(n, b, 1, FieldType.String), f);

    /// <summary>A bool function of two strings (also used for LIKE); NULL if either is NULL.</summary>
    public static Kernel StringPredicate(Kernel s, Kernel other, SpanPredicate f) =>
        new FunctionKernel(FieldType.Bool, [s, other], (v, _) =>
        {
            var (a, p) = ((StrVec)v[0], (StrVec)v[1]);
            var result = new bool[a.Length];
            for (int i = 0; i < result.Length; i++) result[i] = f(a[i], p[i]);
            return new Vec<bool>(result, Validity.And(a.Valid, p.Valid));
        });

    private static Kernel Substr(CallNode n, Binder b)
    {
        var args = new List<Kernel> { Arg(n, b, 0, FieldType.String), Arg(n, b, 1, FieldType.Int64) };
        if (n.Args.Count == 3) args.Add(Arg(n, b, 2, FieldType.Int64));
        return new FunctionKernel(FieldType.String, args, (v, _) =>
        {
            var (s, start) = ((StrVec)v[0], (Vec<long>)v[1]);
            var length = v.Length == 3 ? (Vec<long>)v[2] : null;
            var builder = new StrBuilder(s.Length, s.Data.Length);
            for (int i = 0; i < s.Length; i++)
            {
                if (!s.IsValid(i) || !start.IsValid(i) || (length is not null && !length.IsValid(i))) builder.AppendNull();
                else builder.Append(Strings.Substring(s[i], start.Values[i], length?.Values[i]));
            }
            return builder.Build();
        });
    }

    private static Kernel Replace(CallNode n, Binder b) =>
        new FunctionKernel(FieldType.String, [Arg(n, b, 0, FieldType.String), Arg(n, b, 1, FieldType.String), Arg(n, b, 2, FieldType.String)], (v, context) =>
        {
            var (s, from, to) = ((StrVec)v[0], (StrVec)v[1], (StrVec)v[2]);
            var builder = new StrBuilder(s.Length, s.Data.Length);
            for (int i = 0; i < s.Length; i++)
            {
                if (!s.IsValid(i) || !from.IsValid(i) || !to.IsValid(i)) { builder.AppendNull(); continue; }
                if (Strings.ReplacedLength(s[i], from[i], to[i]) > Strings.MaxValueBytes)
                {
                    // Nested replaces can double a value per level: refuse before writing, not after taking the memory.
                    context.Fail(i, $"replace() would make a value of more than {Strings.MaxValueBytes >> 20} MiB in {n.Text}");
                    builder.AppendNull();
                    continue;
                }
                Strings.Replace(s[i], from[i], to[i], builder);
                builder.Commit(0);
            }
            return builder.Build();
        });

    /// <summary>concat(…) accepts any types (converted to text as CAST does) and skips NULLs.</summary>
    private static Kernel ConcatCall(CallNode n, Binder b) =>
        Concat(n.Args.Select(a =>
        {
            var k = b.Bind(a);
            return k is Binder.UntypedNull ? KernelFactory.Null(FieldType.String)
                : k.Type == FieldType.String ? k : new CastKernel(k, FieldType.String, a.Text);
        }).ToList(), skipNulls: true);

    /// <summary>Joins strings: with <paramref name="skipNulls"/> NULL parts count as '' (concat), otherwise any NULL gives NULL (||).</summary>
    public static Kernel Concat(IReadOnlyList<Kernel> parts, bool skipNulls) => new ConcatKernel(parts, skipNulls);

    /// <summary>Later arguments only run on rows still NULL, so a constant among them that fails is not always an error.</summary>
    private static Kernel CoalesceCall(CallNode n, Binder b)
    {
        var k = b.Unify(n.Args, "coalesce", unconditional: 1);
        return new CoalesceKernel(k[0].Type, k);
    }

    private static Kernel Same(CallNode n, Binder b, Func<Kernel[], Kernel> build) =>
        build(b.Unify(n.Args, n.Name.ToLowerInvariant()));

    private static Kernel NullIf(CallNode n, Binder b)
    {
        var k = b.Unify(n.Args, "nullif");
        var value = b.Share(k[0]);
        return new CaseKernel(value.Type, [(KernelFactory.Compare("=", value, k[1]), KernelFactory.Null(value.Type))], value);
    }

    private static Kernel Numeric(CallNode n, Binder b, Func<Kernel, string, Kernel> build)
    {
        var x = b.Bind(n.Args[0]);
        if (x is Binder.UntypedNull || x.Type is not (FieldType.Int64 or FieldType.Float64 or FieldType.Decimal))
            throw new ExpressionException(
                $"{n.Name.ToLowerInvariant()} needs a number but '{n.Args[0].Text}' is {(x is Binder.UntypedNull ? "NULL" : x.Type.Name())}", n.Args[0].At);
        return build(x, n.Text);
    }

    private static Kernel Round(CallNode n, Binder b)
    {
        int digits = 0;
        if (n.Args.Count == 2)
        {
            if (n.Args[1] is not LiteralNode { Kind: LiteralKind.Integer } literal || !int.TryParse(literal.Value, out digits) || digits is < 0 or > 15)
                throw new ExpressionException("round's digits must be a whole number from 0 to 15, written as a literal", n.Args[1].At);
        }
        return Numeric(n, b, (x, _) => Numbers.Round(x, digits));
    }

    private static Kernel DatePart(CallNode n, Binder b, FieldType input, Func<Kernel, Kernel> build)
    {
        var x = b.Bind(n.Args[0]);
        if (x is Binder.UntypedNull || x.Type is not (FieldType.Date or FieldType.Timestamp))
            throw new ExpressionException(
                $"{n.Name.ToLowerInvariant()} needs a date or timestamp but '{n.Args[0].Text}' is {(x is Binder.UntypedNull ? "NULL" : x.Type.Name())}", n.Args[0].At);
        return build(x.Type == input ? x : new CastKernel(x, input, n.Args[0].Text));
    }

    private static Kernel DateOf(CallNode n, Binder b)
    {
        var x = b.Bind(n.Args[0]);
        if (x is Binder.UntypedNull || x.Type is not (FieldType.Date or FieldType.Timestamp or FieldType.String))
            throw new ExpressionException(
                $"date needs a timestamp, date or string but '{n.Args[0].Text}' is {(x is Binder.UntypedNull ? "NULL" : x.Type.Name())}", n.Args[0].At);
        return x.Type == FieldType.Date ? x : new CastKernel(x, FieldType.Date, n.Text);
    }
}
