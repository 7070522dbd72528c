using System.Text;

namespace Sluice.Expressions.Kernels;

internal delegate bool TryConvert<TA, TR>(TA value, out TR result);

internal delegate bool TryParseUtf8<TR>(ReadOnlySpan<byte> text, out TR result);

internal delegate TR SpanFunc<TR>(ReadOnlySpan<byte> text);

internal delegate void SpanWriter(ReadOnlySpan<byte> text, StrBuilder output);

internal delegate bool TryFormatUtf8<TA>(TA value, Span<byte> destination, out int written);

/// <summary>Row loops for the less hot kernels (casts, functions): NULL in gives NULL out, a failed row becomes NULL plus a row error.</summary>
internal static class VecOps
{
    public static Vec<TR> Map<TA, TR>(Vec<TA> a, Func<TA, TR> f) where TA : unmanaged where TR : unmanaged
    {
        var result = new TR[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = f(a.Values[i]);
        return new Vec<TR>(result, (bool[]?)a.Valid?.Clone());
    }

    public static Vec<TR> TryMap<TA, TR>(Vec<TA> a, TryConvert<TA, TR> f, EvalContext context, Func<TA, string> error)
        where TA : unmanaged where TR : unmanaged
    {
        var valid = (bool[]?)a.Valid?.Clone();
        var result = new TR[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!a.IsValid(i) || f(a.Values[i], out result[i])) continue;
            Validity.SetNull(ref valid, i, a.Length);
            context.Fail(i, error(a.Values[i]));
        }
        return new Vec<TR>(result, valid);
    }

    public static Vec<TR> MapStr<TR>(StrVec a, TryParseUtf8<TR> f, EvalContext context, Func<string, string> error) where TR : unmanaged
    {
        var valid = (bool[]?)a.Valid?.Clone();
        var result = new TR[a.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!a.IsValid(i) || f(a[i], out result[i])) continue;
            Validity.SetNull(ref valid, i, a.Length);
            context.Fail(i, error(Encoding.UTF8.GetString(a[i])));
        }
        return new Vec<TR>(result, valid);
    }

    /// <summary>Formats each value as UTF-8 (at most 64 bytes each, enough for any number, date or timestamp).</summary>
    public static StrVec Format<TA>(Vec<TA> a, TryFormatUtf8<TA> f, EvalContext context, Func<TA, string> error) where TA : unmanaged
    {
        var builder = new StrBuilder(a.Length, a.Length * 8);
        for (int i = 0; i < a.Length; i++)
        {
            if (!a.IsValid(i)) { builder.AppendNull(); continue; }
            if (f(a.Values[i], builder.Reserve(64), out int written)) { builder.Commit(written); continue; }
            builder.AppendNull();
            context.Fail(i, error(a.Values[i]));
        }
        return builder.Build();
    }

    /// <summary>String to string, row by row: <paramref name="f"/> appends the row's bytes with <see cref="StrBuilder.Add"/>.</summary>
    public static StrVec Transform(StrVec a, SpanWriter f)
    {
        var builder = new StrBuilder(a.Length, a.Data.Length);
        for (int i = 0; i < a.Length; i++)
        {
            if (!a.IsValid(i)) { builder.AppendNull(); continue; }
            f(a[i], builder);
            builder.Commit(0);
        }
        return builder.Build();
    }

    public static Vec<TR> FromStr<TR>(StrVec a, SpanFunc<TR> f) where TR : unmanaged
    {
        var result = new TR[a.Length];
        for (int i = 0; i < result.Length; i++) result[i] = a.IsValid(i) ? f(a[i]) : default;
        return new Vec<TR>(result, (bool[]?)a.Valid?.Clone());
    }
}
