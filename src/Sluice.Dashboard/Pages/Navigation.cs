namespace Sluice.Dashboard.Pages;

/// <summary>The links at the top of every page, in order. A new page (lineage, alerts) is one more line here.</summary>
internal static class Navigation
{
    public sealed record Item(string Id, string Label, string Path);

    public static readonly IReadOnlyList<Item> Items =
    [
        new("runs", "Runs", "/"),
        new("dead-letters", "Dead letters", "/dead-letters"),
        new("charts", "Charts", "/charts"),
        new("lineage", "Lineage", "/lineage"),
        new("alerts", "Alerts", "/alerts"),
    ];
}
