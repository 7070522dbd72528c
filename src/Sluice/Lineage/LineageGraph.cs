using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;
using Sluice.Replay;

namespace Sluice.Lineage;

/// <summary>
/// Works out a built pipeline's lineage: each source's dataset with its columns, each sink's with its columns and,
/// column by column, the source columns it comes from, following the stages between (see <see cref="IColumnLineage"/>).
/// </summary>
internal static class LineageGraph
{
    /// <param name="nodes">The built stages, each after its inputs.</param>
    public static PipelineLineage Of(string pipeline, string runId, DateTimeOffset at, IReadOnlyList<StageNode> nodes)
    {
        // Per stage, the origins of each of its output columns whose origin is known.
        var origins = new Dictionary<StageNode, Dictionary<string, IReadOnlyList<ColumnOrigin>>>();
        var inputs = new List<DatasetLineage>();
        var outputs = new List<DatasetLineage>();
        foreach (var node in nodes)
        {
            if (node.Source is not null)
            {
                var dataset = DatasetOf(pipeline, node, node.Source is ReplaySource replay ? replay.Replayed : node.Source);
                origins[node] = node.Schema.FieldsList.ToDictionary(f => f.Name,
                    f => (IReadOnlyList<ColumnOrigin>)[new ColumnOrigin(dataset.Namespace, dataset.Name, f.Name, Computed: false)], StringComparer.Ordinal);
                // A contract that reads the source says what its columns are better than the source can (CSV: all text).
                var described = node.Downstream is [{ Kind: StageKind.Contract } contract] ? contract.Schema : node.Schema;
                inputs.Add(new DatasetLineage(node.Name, dataset.Namespace, dataset.Name, Fields(described), []));
                continue;
            }
            var upstream = Union(node, origins);
            if (node.Sink is not null)
            {
                var dataset = DatasetOf(pipeline, node, node.Sink);
                var columns = node.Schema.FieldsList
                    .Where(f => upstream.TryGetValue(f.Name, out var from) && from.Count > 0)
                    .Select(f => new ColumnLineage(f.Name, upstream[f.Name]))
                    .ToList();
                outputs.Add(new DatasetLineage(node.Name, dataset.Namespace, dataset.Name, Fields(node.Schema), columns));
                continue;
            }
            origins[node] = Through(node, upstream);
        }
        return new PipelineLineage(pipeline, runId, at, inputs, outputs);
    }

    /// <summary>The origins of a stage's input columns: its one input's, or for a union each column's origins in every
    /// input (unknown when unknown in any).</summary>
    private static Dictionary<string, IReadOnlyList<ColumnOrigin>> Union(StageNode node, Dictionary<StageNode, Dictionary<string, IReadOnlyList<ColumnOrigin>>> origins)
    {
        if (node.Upstream is [var only])
        {
            return origins[only];
        }
        var union = new Dictionary<string, IReadOnlyList<ColumnOrigin>>(StringComparer.Ordinal);
        foreach (var field in node.Upstream[0].Schema.FieldsList)
        {
            if (node.Upstream.All(u => origins[u].ContainsKey(field.Name)))
            {
                union[field.Name] = node.Upstream.SelectMany(u => origins[u][field.Name]).Distinct().ToList();
            }
        }
        return union;
    }

    /// <summary>The origins of a transform's output columns, from those of its input: known for a transform that says
    /// where its columns come from, and where every input column it uses is known.</summary>
    private static Dictionary<string, IReadOnlyList<ColumnOrigin>> Through(StageNode node, Dictionary<string, IReadOnlyList<ColumnOrigin>> input)
    {
        var output = new Dictionary<string, IReadOnlyList<ColumnOrigin>>(StringComparer.Ordinal);
        if (node.Definition.Options is not IColumnLineage lineage)
        {
            return output;
        }
        foreach (var (column, sources) in lineage.Origins(node.Upstream[0].Schema, node.Schema))
        {
            if (sources.All(s => input.ContainsKey(s.Column)))
            {
                output[column] = sources.SelectMany(s => input[s.Column].Select(o => o with { Computed = o.Computed || s.Computed })).Distinct().ToList();
            }
        }
        return output;
    }

    /// <summary>What a source or sink says it reads or writes; for one that says nothing, a name made of its component
    /// and stage, so that it still shows up.</summary>
    private static LineageDataset DatasetOf(string pipeline, StageNode node, object component) =>
        component is INamedDataset named
            ? named.Dataset
            : new LineageDataset($"sluice:{node.Definition.Component ?? node.Definition.Options.GetType().Name}", $"{pipeline}.{node.Name}");

    private static List<LineageField> Fields(Schema schema) =>
        schema.FieldsList.Select(f => new LineageField(f.Name, FieldTypes.FromArrow(f.DataType)?.Name() ?? f.DataType.Name)).ToList();
}
