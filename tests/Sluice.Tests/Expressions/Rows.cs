using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Expressions;
using Sluice.Records;

namespace Sluice.Tests.Expressions;

/// <summary>Builds small Arrow batches and reads expression results back as plain values.</summary>
internal static class Rows
{
    public static RecordBatch Batch(params (string Name, IArrowArray Array)[] columns)
    {
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Array.Data.DataType, nullable: true)), null);
        return new RecordBatch(schema, columns.Select(c => c.Array), columns.Length == 0 ? 0 : columns[0].Array.Length);
    }

    public static IArrowArray Longs(params long?[] values)
    {
        var b = new Int64Array.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v.Value); }
        return b.Build();
    }

    public static IArrowArray Ints(params int?[] values)
    {
        var b = new Int32Array.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v.Value); }
        return b.Build();
    }

    public static IArrowArray Doubles(params double?[] values)
    {
        var b = new DoubleArray.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v.Value); }
        return b.Build();
    }

    public static IArrowArray Decimals(int scale, params decimal?[] values)
    {
        var b = new Decimal128Array.Builder(new Decimal128Type(FieldTypes.DecimalPrecision, scale));
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v.Value); }
        return b.Build();
    }

    public static IArrowArray Strings(params string?[] values)
    {
        var b = new StringArray.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v); }
        return b.Build();
    }

    public static IArrowArray Bools(params bool?[] values)
    {
        var b = new BooleanArray.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(v.Value); }
        return b.Build();
    }

    public static IArrowArray Dates(params string?[] values)
    {
        var b = new Date32Array.Builder();
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(DateOnly.Parse(v)); }
        return b.Build();
    }

    public static IArrowArray Timestamps(params string?[] values)
    {
        var b = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, "UTC"));
        foreach (var v in values) { if (v is null) b.AppendNull(); else b.Append(DateTimeOffset.Parse(v, null, System.Globalization.DateTimeStyles.AssumeUniversal)); }
        return b.Build();
    }

    /// <summary>A one-row batch with no columns the expression needs (for constant expressions).</summary>
    public static RecordBatch One() => Batch(("unused", Longs(0)));

    /// <summary>Compiles and evaluates, returning each row as a CLR value (null for NULL).</summary>
    public static object?[] Eval(string text, RecordBatch batch, List<RowError>? errors = null)
    {
        var compiled = SqlExpression.Compile(text, batch.Schema);
        var array = compiled.Evaluate(batch, errors);
        Assert.Equal(batch.Length, array.Length);
        Assert.Equal(compiled.ResultType.ToArrow().TypeId, array.Data.DataType.TypeId);
        return Enumerable.Range(0, array.Length).Select(i => Value(array, i)).ToArray();
    }

    /// <summary>A constant expression's single value.</summary>
    public static object? Scalar(string text) => Eval(text, One())[0];

    private static object? Value(IArrowArray array, int i) => !array.IsValid(i) ? null : array switch
    {
        BooleanArray a => a.GetValue(i),
        Int64Array a => a.GetValue(i),
        DoubleArray a => a.GetValue(i),
        Decimal128Array a => a.GetValue(i),
        StringArray a => a.GetString(i),
        Date32Array a => a.GetDateOnly(i)?.ToString("yyyy-MM-dd"),
        TimestampArray a => a.GetTimestamp(i)?.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
        _ => throw new InvalidOperationException(array.GetType().Name),
    };

    public static ExpressionException Error(string text, RecordBatch batch) =>
        Assert.Throws<ExpressionException>(() => SqlExpression.Compile(text, batch.Schema));
}
