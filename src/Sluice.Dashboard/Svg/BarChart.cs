using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Svg;

/// <summary>A bar chart as SVG drawn on the server, oldest bar on the left; each bar's title (a tooltip, no script)
/// says its label and value, and the axis shows the largest value, so a bar twice as tall as its neighbours is a
/// regression seen at a glance.</summary>
internal static class BarChart
{
    private const int Width = 720, Height = 200, Left = 70, Bottom = 24, Top = 10;

    public sealed record Bar(string Label, double Value, string Shown, string CssClass = "");

    public static Markup Draw(string id, string caption, IReadOnlyList<Bar> bars)
    {
        if (bars.Count == 0)
            return H.Of($"""<p id="{id}" data-testid="{id}" class="empty">{caption}: nothing to draw yet.</p>""");
        double max = Math.Max(bars.Max(b => b.Value), double.Epsilon);
        double slot = (double)(Width - Left) / bars.Count;
        double barWidth = Math.Max(1, slot * 0.8);
        int plot = Height - Bottom - Top;
        var drawn = bars.Select((bar, i) =>
        {
            double h = Math.Max(bar.Value > 0 ? 1 : 0, bar.Value / max * plot);
            string x = StageGraph.Number(Left + i * slot + (slot - barWidth) / 2), y = StageGraph.Number(Top + plot - h);
            return H.Of($"""<rect class="bar {bar.CssClass}" data-testid="bar" data-value="{StageGraph.Number(bar.Value)}" x="{x}" y="{y}" width="{StageGraph.Number(barWidth)}" height="{StageGraph.Number(h)}"><title>{bar.Label}: {bar.Shown}</title></rect>""");
        });
        string top = bars.MaxBy(b => b.Value)!.Shown;
        return H.Of($"""
            <figure class="chart">
            <svg id="{id}" data-testid="{id}" role="img" aria-label="{caption}" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" xmlns="http://www.w3.org/2000/svg">
            <line class="axis" x1="{Left}" y1="{Top}" x2="{Left}" y2="{Height - Bottom}"/>
            <line class="axis" x1="{Left}" y1="{Height - Bottom}" x2="{Width}" y2="{Height - Bottom}"/>
            <text class="tick" x="{Left - 6}" y="{Top + 10}" text-anchor="end">{top}</text>
            <text class="tick" x="{Left - 6}" y="{Height - Bottom}" text-anchor="end">0</text>
            <text class="tick" x="{Left}" y="{Height - 6}">{bars[0].Label}</text>
            <text class="tick" x="{Width}" y="{Height - 6}" text-anchor="end">{bars[^1].Label}</text>
            {Markup.Join(drawn)}
            </svg>
            <figcaption>{caption}</figcaption>
            </figure>
            """);
    }
}
