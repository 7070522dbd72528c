using Sluice.Transforms;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice;

/// <summary>Renames columns: each key is a current name, its value the new one.</summary>
public sealed record RenameOptions(IReadOnlyDictionary<string, string> Names) : ITransformOptions, IColumnLineage
{
    public SourceLocation? Location { get; init; }

    public static ComponentSpec Spec { get; } = new("rename", StageKind.Transform,
        "Renames columns (`old: new`). Other columns keep their names and places. Never drops a record.",
        Shape.MapOf(Shape.String),
        node => new RenameOptions(node.Entries.ToDictionary(e => e.Key, e => e.Value.Text)) { Location = node.Location },
        Example: "{ delay: delay_minutes }");

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        foreach (var old in Names.Keys)
        {
            ColumnNames.IndexOf(input, old, Location, "rename");
        }
        var fields = input.FieldsList
            .Select(f => Names.TryGetValue(f.Name, out var name) ? new Field(name, f.DataType, f.IsNullable, f.Metadata) : f)
            .ToList();
        var clash = fields.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new PipelineException(Location, $"rename makes two columns named '{clash.Key}'; choose another name or drop one with select first");
        }
        return new RenameTransform(new Schema(fields, input.Metadata));
    }

    /// <summary>A rename keeps every column in its place: the output's column i is the input's column i.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output) =>
        input.FieldsList.Zip(output.FieldsList).ToDictionary(p => p.Second.Name,
            p => (IReadOnlyList<ColumnSource>)[new ColumnSource(p.First.Name, Computed: false)], StringComparer.Ordinal);
}

internal sealed class RenameTransform(Schema output) : ITransform
{
    public Schema OutputSchema => output;

    public Batch? Apply(Batch batch, StageContext context) =>
        batch.WithData(new RecordBatch(output, Enumerable.Range(0, batch.Data.ColumnCount).Select(batch.Data.Column), batch.Length));
}
