using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Expectations;

/// <summary>Checks, when the pipeline is built, that every column an expectation names reaches every sink with a
/// type it can measure, so a typo fails before any data moves instead of at the end of a long run.</summary>
internal static class ExpectationColumns
{
    public static IEnumerable<Diagnostic> Problems(IReadOnlyList<Expectation> expectations, IEnumerable<(string Name, Schema Schema)> sinks)
    {
        var sinkList = sinks.ToList();
        foreach (var expectation in expectations)
        {
            if (expectation.Column is not { } name)
            {
                continue;
            }
            foreach (var (sink, schema) in sinkList)
            {
                var field = schema.FieldsList.FirstOrDefault(f => f.Name == name);
                if (field is null)
                {
                    yield return new Diagnostic(expectation.Location,
                        $"expectation {expectation.Describe()}: sink '{sink}' receives no column '{name}'; its columns are {string.Join(", ", schema.FieldsList.Select(f => f.Name))}");
                }
                else if (Unfit(expectation, field.DataType) is { } need)
                {
                    yield return new Diagnostic(expectation.Location,
                        $"expectation {expectation.Describe()}: column '{name}' of sink '{sink}' is {TypeName(field.DataType)}; {need}");
                }
            }
        }
    }

    /// <summary>What the expectation needs, when the column's type does not give it; null when it fits.</summary>
    private static string? Unfit(Expectation expectation, IArrowType type) => expectation switch
    {
        FreshnessExpectation when type is not (Date32Type or TimestampType) => "freshness needs a date or timestamp column",
        DistinctCountExpectation when !DistinctValues.Supports(type) => "distinct_count needs a column of a scalar type (bool, int64, float64, decimal, string, date, timestamp)",
        _ => null,
    };

    private static string TypeName(IArrowType type) => FieldTypes.FromArrow(type) is { } known ? known.Name() : type.Name;
}
