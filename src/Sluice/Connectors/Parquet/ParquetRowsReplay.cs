using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Parquet;

/// <summary>
/// Reads dead letters of a <c>parquet</c> source back into its columns for a replay. A Parquet row has no bytes of its
/// own, so its letter keeps it as the JSON object <see cref="ParquetSourceRows"/> renders (typed values: numbers,
/// booleans, ISO dates and timestamps, non-finite floats as strings); this is the inverse.
/// </summary>
internal static class ParquetRowsReplay
{
    public static Batch Parse(Schema schema, IOriginalRows records, StageContext context)
    {
        var fields = schema.FieldsList;
        var columns = fields.Select(f => new List<object?>(records.Count)).ToArray();
        var origins = new RowOrigins(records);
        var kept = new List<int>(records.Count);
        var row = new object?[fields.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var origin = origins[i];
            if (Read(origin.Original, fields, row) is { } problem)
            {
                context.DeadLetter(origin, DeadLetterReason.Parse, problem.Field, problem.Rule, problem.Message);
                continue;
            }
            for (int c = 0; c < row.Length; c++)
            {
                columns[c].Add(row[c]);
            }
            kept.Add(i);
        }
        var arrays = fields.Select((f, c) => Build(f.DataType, columns[c]));
        return new Batch(new RecordBatch(schema, arrays, kept.Count), origins.Select(kept.ToArray()));
    }

    private sealed record Problem(string? Field, string Rule, string Message);

    /// <summary>Fills <paramref name="row"/> with the record's typed values (null for a JSON null or a missing key);
    /// the problem when the bytes are not such an object.</summary>
    private static Problem? Read(ReadOnlyMemory<byte> bytes, IReadOnlyList<Field> fields, object?[] row)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return new Problem(null, "json", $"not a JSON object: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new Problem(null, "json", "not a JSON object");
            }
            for (int c = 0; c < fields.Count; c++)
            {
                row[c] = null;
                if (!document.RootElement.TryGetProperty(fields[c].Name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                try
                {
                    row[c] = Value(fields[c].DataType, value);
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
                {
                    return new Problem(fields[c].Name, "type", $"{value.GetRawText()} is not a {fields[c].DataType.Name} value");
                }
            }
        }
        return null;
    }

    private static object Value(IArrowType type, JsonElement value) => type switch
    {
        BooleanType => value.GetBoolean(),
        Int64Type => value.GetInt64(),
        DoubleType => value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : value.GetDouble(),
        Decimal128Type => value.GetDecimal(),
        StringType => value.GetString() ?? throw new FormatException(),
        Date32Type => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimestampType => value.GetDateTimeOffset(),
        _ => throw new InvalidOperationException($"a Parquet source emitted a column of type {type.Name}"),
    };

    private static IArrowArray Build(IArrowType type, List<object?> values)
    {
        switch (type)
        {
            case BooleanType:
                return Fill(new BooleanArray.Builder(), values, (b, v) => b.Append((bool)v), b => b.AppendNull()).Build();
            case Int64Type:
                return Fill(new Int64Array.Builder(), values, (b, v) => b.Append((long)v), b => b.AppendNull()).Build();
            case DoubleType:
                return Fill(new DoubleArray.Builder(), values, (b, v) => b.Append((double)v), b => b.AppendNull()).Build();
            case Decimal128Type d:
                return Fill(new Decimal128Array.Builder(d), values, (b, v) => b.Append((decimal)v), b => b.AppendNull()).Build();
            case StringType:
                return Fill(new StringArray.Builder(), values, (b, v) => b.Append((string)v), b => b.AppendNull()).Build();
            case Date32Type:
                return Fill(new Date32Array.Builder(), values, (b, v) => b.Append((DateOnly)v), b => b.AppendNull()).Build();
            case TimestampType t:
                return Fill(new TimestampArray.Builder(t), values, (b, v) => b.Append((DateTimeOffset)v), b => b.AppendNull()).Build();
            default:
                throw new InvalidOperationException($"a Parquet source emitted a column of type {type.Name}");
        }
    }

    private static TBuilder Fill<TBuilder>(TBuilder builder, List<object?> values, Action<TBuilder, object> append, Action<TBuilder> appendNull)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                appendNull(builder);
            }
            else
            {
                append(builder, value);
            }
        }
        return builder;
    }
}
