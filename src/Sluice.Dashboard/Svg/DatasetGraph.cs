using Sluice.Dashboard.Html;
using Sluice.Lineage;

namespace Sluice.Dashboard.Svg;

/// <summary>
/// Datasets and the pipelines between them as SVG drawn on the server, layered left to right: a dataset no
/// pipeline writes in the first column, a pipeline one column right of its deepest input, a dataset one column right
/// of its deepest writer. A dataset is one node however many pipelines read or write it (by namespace and name), so
/// pipelines join where one's output is another's input. Each pipeline's box names the flows whose tasks ran it.
/// </summary>
internal static class DatasetGraph
{
    private const int BoxWidth = 240, BoxHeight = 54, ColumnGap = 70, RowGap = 20, Margin = 10;

    /// <summary>A dataset's identity: its OpenLineage namespace and name.</summary>
    public readonly record struct DatasetKey(string Namespace, string Name);

    private sealed record Node(string Id, bool IsPipeline, string Label, string Namespace, List<string> Inputs);

    public static Markup Draw(IReadOnlyList<PipelineLineage> pipelines, IReadOnlyList<FlowPipeline> flows)
    {
        var nodes = Nodes(pipelines, flows);
        if (nodes.Count == 0)
            return H.Of($"""<p id="no-lineage" data-testid="no-lineage">No lineage recorded yet: it is saved when a pipeline run starts.</p>""");
        var depth = Depths(nodes);
        var position = new Dictionary<string, (int X, int Y)>(StringComparer.Ordinal);
        var rows = new Dictionary<int, int>();
        foreach (var node in nodes.Values)
        {
            int column = depth[node.Id];
            int row = rows.GetValueOrDefault(column);
            rows[column] = row + 1;
            position[node.Id] = (Margin + column * (BoxWidth + ColumnGap), Margin + row * (BoxHeight + RowGap));
        }
        int width = Margin * 2 + (depth.Values.Max() + 1) * (BoxWidth + ColumnGap) - ColumnGap;
        int height = Margin * 2 + rows.Values.Max() * (BoxHeight + RowGap) - RowGap;
        var flowsOf = flows.GroupBy(f => f.Pipeline, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Flow).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var edges = nodes.Values.SelectMany(node => node.Inputs.Distinct().Where(position.ContainsKey).Select(input =>
        {
            var (fx, fy) = position[input];
            var (tx, ty) = position[node.Id];
            int x1 = fx + BoxWidth, y1 = fy + BoxHeight / 2, x2 = tx - 4, y2 = ty + BoxHeight / 2, mid = (x1 + x2) / 2;
            return H.Of($"""<path class="edge" data-testid="lineage-edge" data-from="{Label(nodes[input])}" data-to="{Label(node)}" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" marker-end="url(#lineage-arrow)"/>""");
        }));
        var boxes = nodes.Values.Select(node => Box(node, position[node.Id], flowsOf.GetValueOrDefault(node.Label)));
        return H.Of($"""
            <svg id="lineage-graph" data-testid="lineage-graph" class="graph" role="img" aria-label="datasets and the pipelines between them" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">
            <defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>
            {Markup.Join(edges)}
            {Markup.Join(boxes)}
            </svg>
            """);
    }

    /// <summary>What an edge's ends are called: a pipeline's name, a dataset's name.</summary>
    private static string Label(Node node) => node.Label;

    private static Markup Box(Node node, (int X, int Y) at, List<string>? flows)
    {
        int x = at.X + 8;
        if (node.IsPipeline)
        {
            string flowText = flows is { Count: > 0 } ? "flow " + string.Join(", ", flows) : "pipeline";
            var flowMarks = Markup.Join((flows ?? []).Select(f => H.Of($"""<desc data-testid="lineage-flow" data-flow="{f}">{f}</desc>""")));
            return H.Of($"""
                <g class="stage stage-pipeline" data-testid="lineage-pipeline" data-pipeline="{node.Label}">
                <title>pipeline {node.Label}{(flows is { Count: > 0 } ? " (flow " + string.Join(", ", flows) + ")" : "")}</title>{flowMarks}
                <rect x="{at.X}" y="{at.Y}" width="{BoxWidth}" height="{BoxHeight}" rx="14"/>
                <text x="{x}" y="{at.Y + 22}" class="name">{Clip(node.Label)}</text>
                <text x="{x}" y="{at.Y + 40}" class="kind">{Clip(flowText)}</text>
                </g>
                """);
        }
        return H.Of($"""
            <g class="stage stage-dataset" data-testid="lineage-dataset" data-namespace="{node.Namespace}" data-name="{node.Label}">
            <title>{node.Namespace} {node.Label}</title>
            <rect x="{at.X}" y="{at.Y}" width="{BoxWidth}" height="{BoxHeight}" rx="2"/>
            <text x="{x}" y="{at.Y + 22}" class="name">{ClipStart(node.Label)}</text>
            <text x="{x}" y="{at.Y + 40}" class="kind">{Clip(node.Namespace)}</text>
            </g>
            """);
    }

    private static string Clip(string text) => text.Length <= 30 ? text : text[..29] + "…";

    /// <summary>A path's end says most about it, so a long dataset name keeps its end.</summary>
    private static string ClipStart(string text) => text.Length <= 30 ? text : "…" + text[^29..];

    public static string DatasetId(string ns, string name) => "d\n" + ns + "\n" + name;

    private static string PipelineId(string name) => "p\n" + name;

    /// <summary>The graph's nodes, in a stable order (pipelines by name, each followed by the datasets it first
    /// names); each node's inputs are the ids of the nodes with an arrow into it.</summary>
    private static Dictionary<string, Node> Nodes(IReadOnlyList<PipelineLineage> pipelines, IReadOnlyList<FlowPipeline> flows)
    {
        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        Node Dataset(DatasetLineage d)
        {
            string id = DatasetId(d.Namespace, d.Name);
            if (!nodes.TryGetValue(id, out var node))
                nodes[id] = node = new Node(id, false, d.Name, d.Namespace, []);
            return node;
        }
        Node Pipeline(string name)
        {
            string id = PipelineId(name);
            if (!nodes.TryGetValue(id, out var node))
                nodes[id] = node = new Node(id, true, name, "", []);
            return node;
        }
        foreach (var lineage in pipelines.OrderBy(p => p.Pipeline, StringComparer.Ordinal))
        {
            var pipeline = Pipeline(lineage.Pipeline);
            foreach (var input in lineage.Inputs)
                pipeline.Inputs.Add(Dataset(input).Id);
            foreach (var output in lineage.Outputs)
                Dataset(output).Inputs.Add(pipeline.Id);
        }
        foreach (var name in flows.Select(f => f.Pipeline).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            Pipeline(name);
        return nodes;
    }

    /// <summary>Each node's column: 0 for one without inputs, else one more than its deepest input; a cycle (a
    /// pipeline that writes what it reads) is cut where it is met.</summary>
    private static Dictionary<string, int> Depths(Dictionary<string, Node> nodes)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        int Of(string id)
        {
            if (depth.TryGetValue(id, out int known))
                return known;
            if (!visiting.Add(id))
                return -1;
            var inputs = nodes[id].Inputs;
            int d = inputs.Count == 0 ? 0 : Math.Max(0, inputs.Max(Of) + 1);
            if (nodes[id].IsPipeline && inputs.Count == 0)
                d = 1; // a pipeline that reads no dataset still sits between datasets' columns
            visiting.Remove(id);
            return depth[id] = d;
        }
        foreach (var id in nodes.Keys)
            Of(id);
        return depth;
    }
}
