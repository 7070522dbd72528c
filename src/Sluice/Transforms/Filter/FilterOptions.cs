using Sluice.Transforms;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Transforms.Filter;

namespace Sluice;

/// <summary>Keeps the records for which a boolean expression is true.</summary>
public sealed record FilterOptions(string Expression) : ITransformOptions, IColumnLineage
{
    /// <summary>Where the expression's text starts in the pipeline file.</summary>
    public SourceLocation? Location { get; init; }

    public static ComponentSpec Spec { get; } = new("filter", StageKind.Transform,
        "Keeps the records for which the expression is true; records for which it is false or NULL are counted as filtered. " +
        "A record on which the expression fails (e.g. division by zero) is dead-lettered with reason `transform`.",
        Shape.Expression,
        node => new FilterOptions(node.Text) { Location = node.ContentLocation },
        Example: "distance > 0 AND origin <> destination");

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        var compiled = ExpressionErrors.Compile(Expression, input, Location, "filter");
        if (compiled.ResultType != FieldType.Bool)
        {
            throw new PipelineException(Location, $"filter: the expression is {compiled.ResultType.Name()}, but a filter needs a boolean (e.g. `{Expression} > 0`)");
        }
        return new FilterTransform(input, compiled);
    }

    /// <summary>A filter keeps its input's columns whatever its expression says.</summary>
    public Schema? OutputWhenBroken(Schema input) => input;

    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output) => ColumnOrigins.ByName(input, output);
}
