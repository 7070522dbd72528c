using System.Globalization;
using Sluice.Dashboard.Html;
using Sluice.Dashboard.Pages;
using Sluice.Pipelines;

namespace Sluice.Dashboard.Svg;

/// <summary>
/// A run's stage graph as SVG drawn on the server: stages in columns left to right by depth (a source in the
/// first; a stage one column right of its deepest input), one box per stage with its counts, an arrow per input.
/// The same graph as <c>sluice graph</c>'s Mermaid text, from the stages' inputs the state file kept.
/// </summary>
internal static class StageGraph
{
    private const int BoxWidth = 220, BoxHeight = 92;

    private static readonly LayeredLayout.Sizes Sizes = new(BoxWidth, BoxHeight, ColumnGap: 60, RowGap: 24, Margin: 10);

    public static Markup Draw(IReadOnlyList<StageCounts> stages, TimeSpan? elapsed)
    {
        if (stages.Count == 0)
            return H.Of($"""<p id="no-stages" data-testid="no-stages">No stage counts saved yet.</p>""");
        var layout = LayeredLayout.Of([.. stages.Select(s => new LayeredLayout.Node(s.Stage, s.Inputs))], Sizes);
        var edges = layout.Edges.Select(e =>
            H.Of($"""<path class="edge" data-testid="graph-edge" data-from="{e.From}" data-to="{e.To}" d="{e.Path}" marker-end="url(#arrow)"/>"""));
        var boxes = stages.DistinctBy(s => s.Stage, StringComparer.Ordinal).Select(stage => Box(stage, layout.Positions[stage.Stage], elapsed));
        return H.Of($"""
            <svg id="stage-graph" data-testid="stage-graph" class="graph" role="img" aria-label="stage graph" width="{layout.Width}" height="{layout.Height}" viewBox="0 0 {layout.Width} {layout.Height}" xmlns="http://www.w3.org/2000/svg">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>
            {Markup.Join(edges)}
            {Markup.Join(boxes)}
            </svg>
            """);
    }

    private static Markup Box(StageCounts stage, (int X, int Y) at, TimeSpan? elapsed)
    {
        string busy = elapsed is { TotalMilliseconds: > 0 } e ? Show.Percent(Math.Min(1, stage.Busy / e)) + " busy" : "";
        string failures = stage.HadFailures || stage.CircuitClosings > 0
            ? $"retries {stage.Retries} · timeouts {stage.Timeouts} · breaker opened {stage.CircuitOpenings}"
            : "";
        int x = at.X + 8;
        string kind = stage.Kind.ToString().ToLowerInvariant();
        return H.Of($"""
            <g class="stage stage-{kind}" data-testid="graph-stage" data-stage="{stage.Stage}">
            <title>{stage.Stage} ({kind}): in {stage.In}, out {stage.Out}, filtered {stage.Filtered}, dead-lettered {stage.DeadLettered}</title>
            <rect x="{at.X}" y="{at.Y}" width="{BoxWidth}" height="{BoxHeight}" rx="6"/>
            <text x="{x}" y="{at.Y + 18}" class="name">{Clip(stage.Stage)}</text>
            <text x="{x}" y="{at.Y + 34}" class="kind">{kind} {busy}</text>
            <text x="{x}" y="{at.Y + 52}" data-testid="graph-in-out">in {Show.Count(stage.In)} → out {Show.Count(stage.Out)}</text>
            <text x="{x}" y="{at.Y + 68}" data-testid="graph-dead">filtered {Show.Count(stage.Filtered)} · dead {Show.Count(stage.DeadLettered)}</text>
            <text x="{x}" y="{at.Y + 84}" class="failures">{failures}</text>
            </g>
            """);
    }

    /// <summary>Long names are cut in the box; the box's title (a tooltip) and the table below have them whole.</summary>
    private static string Clip(string name) => name.Length <= 26 ? name : name[..25] + "…";

    internal static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
