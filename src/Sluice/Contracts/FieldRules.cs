using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>
/// The rules of one field — <c>required</c>, <c>min</c>, <c>max</c>, <c>pattern</c>, <c>enum</c>,
/// <c>max_length</c>, checked in that order — run over a column already read as the field's type. Bounds and enum
/// entries are converted to the column's raw units when the stage is built, so each check is a loop over a span.
/// </summary>
internal sealed class FieldRules
{
    private readonly FieldContract _field;
    private readonly IValueRules? _values;
    private readonly byte[][]? _allowedText;
    private readonly PatternMatcher? _pattern;

    private FieldRules(FieldContract field, IValueRules? values, byte[][]? allowedText, PatternMatcher? pattern)
    {
        _field = field;
        _values = values;
        _allowedText = allowedText;
        _pattern = pattern;
    }

    /// <summary>Converts the field's bounds and enum; throws <see cref="PipelineException"/> listing what does not fit.</summary>
    public static FieldRules Create(FieldContract field)
    {
        var problems = new List<Diagnostic>();
        object? min = Native(field, field.Min, "min", problems);
        object? max = Native(field, field.Max, "max", problems);
        List<object>? allowed = null;
        byte[][]? allowedText = null;
        if (field.Enum is { } entries && field.Type == FieldType.String)
        {
            allowedText = entries.Select(Encoding.UTF8.GetBytes).ToArray();
        }
        else if (field.Enum is { } values)
        {
            allowed = [];
            foreach (string value in values)
            {
                if (NativeValues.FromText(field, value) is { } native)
                {
                    allowed.Add(native);
                }
                else
                {
                    problems.Add(new Diagnostic(null, $"enum value '{value}' of field '{field.Name}' is not a valid {NativeValues.TypeText(field)}"));
                }
            }
        }
        if ((field.Pattern is not null || field.MaxLength is not null) && field.Type != FieldType.String)
        {
            problems.Add(new Diagnostic(null, $"pattern and max_length apply only to string fields; '{field.Name}' is {field.Type.Name()}"));
        }
        PatternMatcher? pattern = null;
        if (field.Pattern is { } given)
        {
            // A Regex built in C# may be a backtracking one: the contract always matches on the linear engine.
            string? problem = null;
            var linear = given.Options.HasFlag(RegexOptions.NonBacktracking) ? given : LinearPattern.TryCreate(given.ToString(), given.Options, out problem);
            pattern = linear is null ? null : new PatternMatcher(linear);
            if (problem is not null)
            {
                problems.Add(new Diagnostic(null, $"field '{field.Name}': {problem}"));
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        IValueRules? rules = field.Type switch
        {
            _ when min is null && max is null && allowed is null => null,
            FieldType.Int64 => new ValueRules<long>(field, min, max, allowed, c => ((Int64Array)c).Values),
            FieldType.Timestamp => new ValueRules<long>(field, min, max, allowed, c => ((TimestampArray)c).Values),
            FieldType.Date => new ValueRules<int>(field, min, max, allowed, c => ((Date32Array)c).Values),
            FieldType.Float64 => new ValueRules<double>(field, min, max, allowed, c => ((DoubleArray)c).Values),
            FieldType.Decimal => new ValueRules<Int128>(field, min, max, allowed,
                c => MemoryMarshal.Cast<byte, Int128>(((Decimal128Array)c).ValueBuffer.Span).Slice(c.Offset, c.Length)),
            _ => new BoolEnum(field, allowed!.Cast<bool>().ToHashSet()),
        };
        return new FieldRules(field, rules, allowedText, pattern);
    }

    public void Check(IArrowArray column, Rejections rejections)
    {
        if (_field.Required && column.NullCount > 0)
        {
            for (int row = 0; row < column.Length; row++)
            {
                if (!rejections.IsRejected(row) && column.IsNull(row))
                {
                    rejections.Reject(row, DeadLetterReason.Contract, _field.Name, "required", $"{_field.Name} is required but missing");
                }
            }
        }
        _values?.Check(column, rejections);
        if (column is StringArray text && (_field.Pattern is not null || _allowedText is not null || _field.MaxLength is not null))
        {
            CheckText(text, rejections);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private void CheckText(StringArray text, Rejections rejections)
    {
        char[]? rented = null;
        Span<char> chars = stackalloc char[256];
        var column = new Utf8Column(text);
        ReadOnlySpan<bool> rejected = rejections.Rejected; // a view: it sees rows rejected inside the loop
        for (int row = 0; row < column.Length; row++)
        {
            if (rejected[row] || column.IsNull(row))
            {
                continue;
            }
            ReadOnlySpan<byte> value = column[row];
            if (_pattern is not null)
            {
                if (Encoding.UTF8.GetMaxCharCount(value.Length) > chars.Length)
                {
                    if (rented is not null) ArrayPool<char>.Shared.Return(rented);
                    chars = rented = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(value.Length));
                }
                if (!_pattern.IsMatch(value, chars))
                {
                    Reject(rejections, row, "pattern", $"{ValueText.Quote(value)} does not match {_pattern}");
                    continue;
                }
            }
            if (_allowedText is { } allowed && !Contains(allowed, value))
            {
                Reject(rejections, row, "enum", $"{ValueText.Quote(value)} is not one of: {string.Join(", ", _field.Enum!)}");
                continue;
            }
            if (_field.MaxLength is { } maxLength && CodePoints(value) is var length && length > maxLength)
            {
                Reject(rejections, row, "max_length", $"{ValueText.Quote(value)} is {length} characters long, above the max_length {maxLength}");
            }
        }
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void Reject(Rejections rejections, int row, string rule, string detail) =>
        rejections.Reject(row, DeadLetterReason.Contract, _field.Name, rule, $"{_field.Name} = {detail}");

    private static bool Contains(byte[][] allowed, ReadOnlySpan<byte> value)
    {
        foreach (byte[] entry in allowed)
        {
            if (value.SequenceEqual(entry))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Unicode code points in valid UTF-8: every byte that is not a continuation byte starts one.</summary>
    private static int CodePoints(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8)
        {
            count += (b & 0xC0) != 0x80 ? 1 : 0;
        }
        return count;
    }

    private static object? Native(FieldContract field, FieldBound? bound, string name, List<Diagnostic> problems)
    {
        if (bound is not { } b)
        {
            return null;
        }
        object? native = NativeValues.FromBound(field, b, out string? error);
        if (error is not null)
        {
            problems.Add(new Diagnostic(null, $"{name} of field '{field.Name}': {error}"));
        }
        return native;
    }

    private interface IValueRules
    {
        void Check(IArrowArray column, Rejections rejections);
    }

    private delegate ReadOnlySpan<T> ValuesOf<T>(IArrowArray column);

    /// <summary>min, max and enum over the raw values of a fixed-width column.</summary>
    private sealed class ValueRules<T>(FieldContract field, object? min, object? max, List<object>? allowed, ValuesOf<T> valuesOf) : IValueRules
        where T : struct, IComparisonOperators<T, T, bool>
    {
        private readonly T? _min = (T?)min;
        private readonly T? _max = (T?)max;
        private readonly HashSet<T>? _allowed = allowed?.Cast<T>().ToHashSet();

        public void Check(IArrowArray column, Rejections rejections)
        {
            ReadOnlySpan<T> values = valuesOf(column);
            bool anyNull = column.NullCount > 0;
            for (int row = 0; row < values.Length; row++)
            {
                if (rejections.IsRejected(row) || (anyNull && column.IsNull(row)))
                {
                    continue;
                }
                T value = values[row];
                // Written as "not at or above" so that NaN, which compares false with everything, breaks a bound.
                if (_min is { } lo && !(value >= lo))
                {
                    Reject(column, row, rejections, "min", IsNaN(value) ? $"is not a number, so not at or above the min {field.Min}" : $"is below the min {field.Min}");
                }
                else if (_max is { } hi && !(value <= hi))
                {
                    Reject(column, row, rejections, "max", IsNaN(value) ? $"is not a number, so not at or below the max {field.Max}" : $"is above the max {field.Max}");
                }
                else if (_allowed is not null && !_allowed.Contains(value))
                {
                    Reject(column, row, rejections, "enum", $"is not one of: {string.Join(", ", field.Enum!)}");
                }
            }
        }

        private void Reject(IArrowArray column, int row, Rejections rejections, string rule, string detail) =>
            rejections.Reject(row, DeadLetterReason.Contract, field.Name, rule, $"{field.Name} = {ValueText.Format(column, row)} {detail}");

        private static bool IsNaN(T value) => value is double d && double.IsNaN(d);
    }

    /// <summary>enum on a bool field (e.g. <c>[true]</c> to demand true).</summary>
    private sealed class BoolEnum(FieldContract field, HashSet<bool> allowed) : IValueRules
    {
        public void Check(IArrowArray column, Rejections rejections)
        {
            for (int row = 0; row < column.Length; row++)
            {
                if (!rejections.IsRejected(row) && !column.IsNull(row) && !allowed.Contains(ValueText.Bool((BooleanArray)column, row)))
                {
                    rejections.Reject(row, DeadLetterReason.Contract, field.Name, "enum",
                        $"{field.Name} = {ValueText.Format(column, row)} is not one of: {string.Join(", ", field.Enum!)}");
                }
            }
        }
    }
}
