using System.Globalization;

namespace Sluice.Dashboard.Svg;

/// <summary>
/// Where the boxes of a graph go, drawn left to right: a node without inputs in the first column, any other one
/// column right of its deepest input, rows in the order the nodes are given; and a curved arrow per input. Shared by
/// the stage graph and the flow task graph so that both read alike. Inputs that name no node are left out; a cycle
/// (never in a valid pipeline or flow) is cut where it is met.
/// </summary>
internal sealed class LayeredLayout
{
    /// <summary>A node's name and the names of the nodes with an arrow into it.</summary>
    public readonly record struct Node(string Name, IReadOnlyList<string> Inputs);

    /// <summary>An arrow and its SVG path (<c>d</c>), from the right side of one box to the left side of the other.</summary>
    public readonly record struct Edge(string From, string To, string Path);

    public readonly record struct Sizes(int BoxWidth, int BoxHeight, int ColumnGap, int RowGap, int Margin);

    private LayeredLayout(Dictionary<string, (int X, int Y)> positions, int width, int height, List<Edge> edges) =>
        (Positions, Width, Height, Edges) = (positions, width, height, edges);

    /// <summary>Each node's top-left corner, by name.</summary>
    public IReadOnlyDictionary<string, (int X, int Y)> Positions { get; }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<Edge> Edges { get; }

    /// <param name="nodes">At least one; a name given twice is placed once, with its first inputs.</param>
    public static LayeredLayout Of(IReadOnlyList<Node> nodes, Sizes sizes)
    {
        var byName = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var node in nodes)
            byName.TryAdd(node.Name, node);
        var depth = Depths(byName);
        var positions = new Dictionary<string, (int X, int Y)>(StringComparer.Ordinal);
        var rows = new Dictionary<int, int>();
        foreach (var node in byName.Values)
        {
            int column = depth[node.Name];
            int row = rows.GetValueOrDefault(column);
            rows[column] = row + 1;
            positions[node.Name] = (sizes.Margin + column * (sizes.BoxWidth + sizes.ColumnGap), sizes.Margin + row * (sizes.BoxHeight + sizes.RowGap));
        }
        int width = sizes.Margin * 2 + (depth.Values.Max() + 1) * (sizes.BoxWidth + sizes.ColumnGap) - sizes.ColumnGap;
        int height = sizes.Margin * 2 + rows.Values.Max() * (sizes.BoxHeight + sizes.RowGap) - sizes.RowGap;
        var edges = byName.Values.SelectMany(node => node.Inputs.Distinct(StringComparer.Ordinal).Where(positions.ContainsKey).Select(input =>
        {
            var (fx, fy) = positions[input];
            var (tx, ty) = positions[node.Name];
            int x1 = fx + sizes.BoxWidth, y1 = fy + sizes.BoxHeight / 2, x2 = tx - 4, y2 = ty + sizes.BoxHeight / 2, mid = (x1 + x2) / 2;
            return new Edge(input, node.Name, string.Create(CultureInfo.InvariantCulture, $"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"));
        })).ToList();
        return new LayeredLayout(positions, width, height, edges);
    }

    /// <summary>Each node's column: 0 for one without inputs, else one more than its deepest input.</summary>
    private static Dictionary<string, int> Depths(Dictionary<string, Node> byName)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        int Of(string name)
        {
            if (depth.TryGetValue(name, out int known))
                return known;
            if (!visiting.Add(name))
                return 0;
            var inputs = byName[name].Inputs.Where(byName.ContainsKey).ToList();
            int d = inputs.Count == 0 ? 0 : inputs.Max(Of) + 1;
            visiting.Remove(name);
            return depth[name] = d;
        }
        foreach (var name in byName.Keys)
            Of(name);
        return depth;
    }
}
