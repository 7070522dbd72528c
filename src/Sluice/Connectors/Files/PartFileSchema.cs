using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>Checks that a file sink's input holds only Sluice field types, so a sink never meets a column it cannot encode mid-run.</summary>
internal static class PartFileSchema
{
    /// <summary>The Sluice type of each column of <paramref name="schema"/>, in order.</summary>
    /// <exception cref="PipelineException">Some column has an Arrow type that is not one of the seven Sluice types;
    /// every such column is listed.</exception>
    public static FieldType[] FieldTypesOf(Schema schema, string sink)
    {
        var types = new FieldType[schema.FieldsList.Count];
        var problems = new List<Diagnostic>();
        for (int i = 0; i < types.Length; i++)
        {
            var field = schema.FieldsList[i];
            if (SluiceType(field.DataType) is { } type)
            {
                types[i] = type;
            }
            else
            {
                problems.Add(new Diagnostic(null,
                    $"the {sink} sink cannot write column '{field.Name}' of Arrow type {field.DataType.Name}; " +
                    $"cast it to one of {string.Join(", ", FieldTypes.Names)} before the sink"));
            }
        }
        return problems.Count == 0 ? types : throw new PipelineException(problems);
    }

    /// <summary>Exactly the Arrow types <see cref="FieldTypes.ToArrow"/> produces; near relatives (int32, ms
    /// timestamps, other decimal precisions) are refused rather than silently widened.</summary>
    private static FieldType? SluiceType(IArrowType type) => type switch
    {
        BooleanType => FieldType.Bool,
        Int64Type => FieldType.Int64,
        DoubleType => FieldType.Float64,
        Decimal128Type { Precision: FieldTypes.DecimalPrecision } => FieldType.Decimal,
        StringType => FieldType.String,
        Date32Type => FieldType.Date,
        TimestampType { Unit: TimeUnit.Microsecond, Timezone: "UTC" } => FieldType.Timestamp,
        _ => null,
    };
}
