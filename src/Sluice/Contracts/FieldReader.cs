using System.Runtime.CompilerServices;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>
/// Reads one input column as a contract field's type, a whole column at a time: passes a column that already has
/// the type through untouched, parses text from its UTF-8 bytes, and converts other types where no value is lost
/// (int64→float64, an integral float64→int64, a midnight timestamp→date, …). A value that cannot be read
/// rejects its row (reason <c>parse</c>, rule <c>type</c>, or <c>scale</c> for too many decimal places) and
/// becomes null. Which conversion applies is decided when the stage is built, from the input schema.
/// </summary>
internal sealed class FieldReader
{
    private readonly FieldContract _field;
    private readonly IArrowType _target;
    private readonly int _scale;
    private readonly FieldReader? _natural; // for non-text → string: first read the value as its own type

    private FieldReader(FieldContract field, FieldReader? natural)
    {
        _field = field;
        _scale = field.DecimalScale;
        _target = field.Type.ToArrow(_scale);
        _natural = natural;
    }

    public IArrowType Target => _target;

    /// <summary>A reader for <paramref name="input"/>; throws <see cref="PipelineException"/> when its type
    /// cannot become the field's type.</summary>
    public static FieldReader Create(FieldContract field, IArrowType input)
    {
        FieldType? source = FieldTypes.FromArrow(input);
        bool supported = source switch
        {
            null => false,
            _ when input is LargeStringType => false,
            _ when source == field.Type || source == FieldType.String || field.Type == FieldType.String => true,
            FieldType.Int64 or FieldType.Float64 or FieldType.Decimal =>
                field.Type is FieldType.Int64 or FieldType.Float64 or FieldType.Decimal,
            FieldType.Date or FieldType.Timestamp => field.Type is FieldType.Date or FieldType.Timestamp,
            _ => false,
        };
        if (!supported)
        {
            throw new PipelineException(null,
                $"contract field '{field.Name}' is {field.Type.Name()} but its input column is {input.Name}, which cannot be " +
                $"read as {field.Type.Name()}; declare the field as {(source is { } s && input is not LargeStringType ? s.Name() : "string")} " +
                "or convert the column before the contract");
        }
        FieldReader? natural = field.Type == FieldType.String && source != FieldType.String
            ? new FieldReader(new FieldContract(field.Name, source!.Value) { Scale = (input as Decimal128Type)?.Scale }, null)
            : null;
        return new FieldReader(field, natural);
    }

    /// <summary>The column as the field's type, same length as <paramref name="column"/>; the input array itself
    /// when it already has that type.</summary>
    public IArrowArray Read(IArrowArray column, Rejections rejections)
    {
        if (_natural is not null)
        {
            return ToText(_natural.Read(column, rejections), rejections);
        }
        switch (column)
        {
            case StringArray text when _field.Type == FieldType.String:
                return text;
            case StringArray text:
                return Parse(text, rejections);
            case Int64Array when _field.Type == FieldType.Int64:
            case DoubleArray when _field.Type == FieldType.Float64:
            case BooleanArray when _field.Type == FieldType.Bool:
            case Date32Array when _field.Type == FieldType.Date:
                return column;
            case TimestampArray when _field.Type == FieldType.Timestamp && ((TimestampType)column.Data.DataType).Unit == TimeUnit.Microsecond:
                return column.Data.DataType.Equals(_target) ? column : Columns.Retype(column, _target);
            case Decimal128Array d when _field.Type == FieldType.Decimal && d.Scale == _scale && d.Precision <= FieldTypes.DecimalPrecision:
                return d.Precision == FieldTypes.DecimalPrecision ? column : Columns.Retype(column, _target);
            default:
                return Convert(column, rejections);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-record loop; why: docs/decisions.md, "Hot loops"
    private IArrowArray Parse(StringArray text, Rejections rejections)
    {
        var output = new ColumnBuilder(_target, text.Length);
        var column = new Utf8Column(text);
        ReadOnlySpan<bool> rejected = rejections.Rejected; // a view: it sees rows rejected inside the loop
        for (int row = 0; row < column.Length; row++)
        {
            if (rejected[row] || column.IsNull(row))
            {
                continue;
            }
            ReadOnlySpan<byte> value = TextValues.Trim(column[row]);
            if (value.IsEmpty)
            {
                continue; // an empty value of a non-string type is null
            }
            bool ok;
            bool scaleExceeded = false;
            switch (_field.Type)
            {
                case FieldType.Bool:
                    if (ok = TextValues.TryParseBool(value, out bool b)) output.Set(row, b);
                    break;
                case FieldType.Int64:
                    if (ok = TextValues.TryParseInt64(value, out long l)) output.Set(row, l);
                    break;
                case FieldType.Float64:
                    if (ok = TextValues.TryParseFloat64(value, out double d)) output.Set(row, d);
                    break;
                case FieldType.Decimal:
                    if (ok = TextValues.TryParseDecimal(value, _scale, out Int128 m, out scaleExceeded)) output.Set(row, m);
                    break;
                case FieldType.Date:
                    ok = _field.Format is null ? TextValues.TryParseDate(value, out int days)
                        : TextValues.TryParseDateExact(value, _field.Format, out days);
                    if (ok) output.Set(row, days);
                    break;
                default:
                    ok = _field.Format is null ? TextValues.TryParseTimestamp(value, out long micros)
                        : TextValues.TryParseTimestampExact(value, _field.Format, out micros);
                    if (ok) output.Set(row, micros);
                    break;
            }
            if (!ok)
            {
                string quoted = ValueText.Quote(value);
                if (scaleExceeded)
                {
                    rejections.Reject(row, DeadLetterReason.Parse, _field.Name, "scale",
                        $"{quoted} has more digits after the decimal point than the scale {_scale} allows");
                }
                else
                {
                    rejections.Reject(row, DeadLetterReason.Parse, _field.Name, "type", $"{quoted} is not a valid {TypeText()}");
                }
            }
        }
        return output.Build();
    }

    /// <summary>Typed input that is not already the field's type; each value converts exactly or rejects its row.</summary>
    private IArrowArray Convert(IArrowArray column, Rejections rejections)
    {
        var output = new ColumnBuilder(_target, column.Length);
        var sourceType = column.Data.DataType;
        FieldType source = FieldTypes.FromArrow(sourceType)!.Value;
        for (int row = 0; row < column.Length; row++)
        {
            if (rejections.IsRejected(row) || column.IsNull(row))
            {
                continue;
            }
            bool ok = source switch
            {
                FieldType.Int64 => FromInteger(Integer(column, row), row, output),
                FieldType.Float64 => FromFloat(Float(column, row), row, output),
                FieldType.Decimal => FromDecimal(ValueText.Decimal((Decimal128Array)column, row), ((Decimal128Type)sourceType).Scale, row, output),
                FieldType.Bool => Set(output, row, ValueText.Bool((BooleanArray)column, row)),
                _ => FromMicros(Micros(column, row, out bool inRange), inRange, row, output),
            };
            if (!ok)
            {
                rejections.Reject(row, DeadLetterReason.Parse, _field.Name, "type",
                    $"{SourceText(column, row, source)} ({sourceType.Name}) is not a valid {TypeText()}");
            }
        }
        return output.Build();
    }

    private bool FromInteger(long value, int row, ColumnBuilder output)
    {
        switch (_field.Type)
        {
            case FieldType.Int64:
                output.Set(row, value);
                return true;
            case FieldType.Float64:
                output.Set(row, (double)value);
                return true;
            default:
                return FromDecimal(value, 0, row, output);
        }
    }

    private bool FromFloat(double value, int row, ColumnBuilder output)
    {
        switch (_field.Type)
        {
            case FieldType.Float64:
                output.Set(row, value);
                return true;
            case FieldType.Int64:
                // 2^63 is exactly representable as a double, so the range test is exact.
                if (value != Math.Floor(value) || value < -9.2233720368547758E18 || value >= 9.2233720368547758E18)
                {
                    return false;
                }
                output.Set(row, (long)value);
                return true;
            default:
                if (!double.IsFinite(value) || Math.Abs(value) >= 7.9e28)
                {
                    return false;
                }
                // The decimal nearest the double (15 significant digits), then exact rescaling to the field's scale.
                decimal exact = (decimal)value;
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(exact, bits);
                Int128 mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
                return FromDecimal(bits[3] < 0 ? -mantissa : mantissa, (bits[3] >> 16) & 0xFF, row, output);
        }
    }

    private bool FromDecimal(Int128 unscaled, int scale, int row, ColumnBuilder output)
    {
        switch (_field.Type)
        {
            case FieldType.Float64:
                output.Set(row, (double)unscaled / Math.Pow(10, scale));
                return true;
            case FieldType.Int64:
                Int128 whole = Int128.DivRem(unscaled, TextValues.Pow10[scale]).Remainder == 0 ? unscaled / TextValues.Pow10[scale] : Int128.MaxValue;
                return whole >= long.MinValue && whole <= long.MaxValue && Set(output, row, (long)whole);
            default:
                if (scale > _scale)
                {
                    Int128 divisor = TextValues.Pow10[scale - _scale];
                    if (unscaled % divisor != 0)
                    {
                        return false;
                    }
                    unscaled /= divisor;
                }
                else if (scale < _scale)
                {
                    if (Int128.Abs(unscaled) >= TextValues.DecimalLimit / TextValues.Pow10[_scale - scale])
                    {
                        return false;
                    }
                    unscaled *= TextValues.Pow10[_scale - scale];
                }
                return Int128.Abs(unscaled) < TextValues.DecimalLimit && Set(output, row, unscaled);
        }
    }

    private bool FromMicros(long micros, bool inRange, int row, ColumnBuilder output)
    {
        if (!inRange)
        {
            return false;
        }
        if (_field.Type == FieldType.Timestamp)
        {
            output.Set(row, micros);
            return true;
        }
        // A timestamp becomes a date only at midnight UTC, so that no time of day is lost.
        return micros % TextValues.MicrosPerDay == 0 && Set(output, row, (int)(micros / TextValues.MicrosPerDay));
    }

    /// <summary>Canonical text of every value of a column already read as its own type.</summary>
    private static IArrowArray ToText(IArrowArray typed, Rejections rejections)
    {
        var builder = new StringArray.Builder();
        Span<byte> buffer = stackalloc byte[ValueText.MaxLength];
        for (int row = 0; row < typed.Length; row++)
        {
            if (rejections.IsRejected(row) || typed.IsNull(row))
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(buffer[..ValueText.Write(typed, row, buffer)]);
            }
        }
        return builder.Build();
    }

    private static bool Set(ColumnBuilder output, int row, bool value) { output.Set(row, value); return true; }
    private static bool Set(ColumnBuilder output, int row, long value) { output.Set(row, value); return true; }
    private static bool Set(ColumnBuilder output, int row, int value) { output.Set(row, value); return true; }
    private static bool Set(ColumnBuilder output, int row, Int128 value) { output.Set(row, value); return true; }

    private static long Integer(IArrowArray column, int row) => column switch
    {
        Int64Array a => a.Values[row],
        Int32Array a => a.Values[row],
        Int16Array a => a.Values[row],
        Int8Array a => a.Values[row],
        UInt32Array a => a.Values[row],
        UInt16Array a => a.Values[row],
        UInt8Array a => a.Values[row],
        _ => throw new ArgumentException(column.Data.DataType.Name),
    };

    private static double Float(IArrowArray column, int row) => column switch
    {
        DoubleArray a => a.Values[row],
        FloatArray a => a.Values[row],
        HalfFloatArray a => (double)a.Values[row],
        _ => throw new ArgumentException(column.Data.DataType.Name),
    };

    /// <summary>A date or timestamp as microseconds since the epoch; false when that does not fit in 64 bits.</summary>
    private static long Micros(IArrowArray column, int row, out bool inRange)
    {
        inRange = true;
        if (column is TimestampArray { Data.DataType: TimestampType { Unit: TimeUnit.Nanosecond } } ns)
        {
            long value = ns.Values[row];
            return value / 1000 - (value % 1000 < 0 ? 1 : 0); // floor, so an instant never moves forward
        }
        (long units, long microsPerUnit) = column switch
        {
            Date32Array a => ((long)a.Values[row], TextValues.MicrosPerDay),
            Date64Array a => (a.Values[row], 1000L),
            TimestampArray a => (a.Values[row], ((TimestampType)a.Data.DataType).Unit switch
            {
                TimeUnit.Second => 1_000_000L,
                TimeUnit.Millisecond => 1000L,
                _ => 1L,
            }),
            _ => throw new ArgumentException(column.Data.DataType.Name),
        };
        inRange = Math.Abs(units) <= long.MaxValue / microsPerUnit;
        return inRange ? units * microsPerUnit : 0;
    }

    private static string SourceText(IArrowArray column, int row, FieldType source) => source switch
    {
        FieldType.Int64 => Integer(column, row).ToString(CultureInfo.InvariantCulture),
        FieldType.Float64 => Float(column, row).ToString("R", CultureInfo.InvariantCulture),
        FieldType.Decimal => ((Decimal128Array)column).GetString(row) ?? "",
        FieldType.Bool => ValueText.Bool((BooleanArray)column, row) ? "true" : "false",
        _ => Micros(column, row, out _) is var micros ? ValueText.FormatMicros(micros) : "",
    };

    private string TypeText() => _field.Type == FieldType.Decimal
        ? $"decimal({FieldTypes.DecimalPrecision},{_scale})"
        : _field.Type.Name();
}
