using Sluice.Transforms;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Transforms.Dedupe;

namespace Sluice;

/// <summary>Drops every record whose key was already seen in this run; the first one with a key passes.</summary>
public sealed record DedupeOptions(IReadOnlyList<string> Key) : ITransformOptions, IColumnLineage
{
    public SourceLocation? Location { get; init; }

    public static ComponentSpec Spec { get; } = new("dedupe", StageKind.Transform,
        "Passes the first record of each distinct key and counts the rest as filtered. Keeps every key seen in the run in " +
        "memory (about 50 bytes plus the key's size per distinct key). Nulls are equal to each other for this purpose.",
        Shape.Object(new OptionSpec("key", Shape.ListOf(Shape.String), "Columns that together identify a record.", Required: true, Example: "[date, origin, destination]")),
        node => new DedupeOptions(node.GetStrings("key")!) { Location = node.Location },
        Example: "{ key: [date, origin] }");

    public ITransform CreateTransform(Schema input, BuildContext context)
    {
        if (Key.Count == 0)
        {
            throw new PipelineException(Location, "dedupe needs at least one key column: `dedupe: { key: [id] }`");
        }
        return new DedupeTransform(input, Key.Select(k => ColumnNames.IndexOf(input, k, Location, "dedupe")).ToArray());
    }

    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output) => ColumnOrigins.ByName(input, output);
}
