using Sluice.Transforms;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice;

/// <summary>Keeps only the named columns, in the order given.</summary>
public sealed record SelectOptions(IReadOnlyList<string> Columns) : ITransformOptions, IColumnLineage
{
    public SourceLocation? Location { get; init; }

    public static ComponentSpec Spec { get; } = new("select", StageKind.Transform,
        "Keeps only the listed columns, in the order listed. Emits one batch per input batch; never drops a record.",
        Shape.ListOf(Shape.String),
        node => new SelectOptions(node.Items.Select(i => i.Text).ToList()) { Location = node.Location },
        Example: "[date, delay, route]");

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        if (Columns.Count == 0)
        {
            throw new PipelineException(Location, "select needs at least one column");
        }
        var duplicate = Columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PipelineException(Location, $"select names '{duplicate.Key}' twice; name each column once");
        }
        var indices = Columns.Select(c => ColumnNames.IndexOf(input, c, Location, "select")).ToArray();
        return new SelectTransform(input, indices);
    }

    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output) => ColumnOrigins.ByName(input, output);
}

internal sealed class SelectTransform(Schema input, int[] indices) : ITransform
{
    public Schema OutputSchema { get; } = new(indices.Select(i => input.GetFieldByIndex(i)), input.Metadata);

    public Batch? Apply(Batch batch, StageContext context) =>
        batch.WithData(new RecordBatch(OutputSchema, indices.Select(i => batch.Data.Column(i)), batch.Length));
}
