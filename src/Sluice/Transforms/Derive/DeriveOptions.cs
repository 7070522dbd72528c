using Sluice.Transforms;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Transforms.Derive;

namespace Sluice;

/// <summary>Adds (or replaces) columns computed by expressions, in the order written.</summary>
public sealed record DeriveOptions(IReadOnlyList<DerivedColumn> Columns) : ITransformOptions, IColumnLineage
{
    public static ComponentSpec Spec { get; } = new("derive", StageKind.Transform,
        "Adds a column per entry (`name: expression`), computed in the order written, so a later entry can use an earlier one. " +
        "An entry named like an existing column replaces it in place. A record on which an expression fails is dead-lettered " +
        "with reason `transform` and the column's name.",
        Shape.MapOf(Shape.Expression),
        node => new DeriveOptions(node.Entries.Select(e => new DerivedColumn(e.Key, e.Value.Text) { Location = e.Value.ContentLocation }).ToList()),
        Example: "{ late: delay > 15, route: origin || '-' || destination }");

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        var schema = input;
        var compiled = new List<(int Index, Expressions.CompiledExpression Expression)>();
        var problems = new List<Diagnostic>();
        foreach (var column in Columns)
        {
            try
            {
                var expression = ExpressionErrors.Compile(column.Expression, schema, column.Location, $"derive '{column.Name}'");
                var field = FieldTypes.ArrowField(column.Name, expression.ResultType);
                var fields = schema.FieldsList.ToList();
                int index = schema.GetFieldIndex(column.Name);
                if (index >= 0)
                {
                    fields[index] = field;
                }
                else
                {
                    index = fields.Count;
                    fields.Add(field);
                }
                schema = new Schema(fields, schema.Metadata);
                compiled.Add((index, expression));
            }
            catch (PipelineException e)
            {
                problems.AddRange(e.Diagnostics);
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        return new DeriveTransform(schema, compiled);
    }

    /// <summary>A derived column comes from the columns its expression reads, computed; when it reads a column derived
    /// before it, from that one's inputs. Other columns pass through.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output)
    {
        var origins = input.FieldsList.ToDictionary(f => f.Name, f => (IReadOnlyList<ColumnSource>)[new ColumnSource(f.Name, Computed: false)],
            StringComparer.Ordinal);
        var schema = input;
        foreach (var column in Columns)
        {
            var expression = Expressions.SqlExpression.Compile(column.Expression, schema);
            origins[column.Name] = expression.Columns.SelectMany(c => origins[c]).Select(s => s with { Computed = true }).Distinct().ToList();
            var fields = schema.FieldsList.Where(f => f.Name != column.Name).Append(FieldTypes.ArrowField(column.Name, expression.ResultType));
            schema = new Schema(fields, schema.Metadata);
        }
        return origins;
    }
}

/// <param name="Name">The column to add or replace.</param>
public sealed record DerivedColumn(string Name, string Expression)
{
    public SourceLocation? Location { get; init; }
}
