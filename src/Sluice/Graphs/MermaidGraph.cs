using System.Text;
using Sluice.Flows;

namespace Sluice.Graphs;

/// <summary>
/// A pipeline's stages or a flow's tasks as a Mermaid flowchart (<c>sluice graph</c>; the dashboard draws the same
/// text). Nodes get generated ids (<c>s0</c>, <c>t0</c>…) and quoted labels, so no name can break the diagram's
/// syntax, and every character that means something to Mermaid or HTML (quotes, angle brackets, <c>&amp;</c>, …) goes
/// in as an entity: a name like <c>&lt;script&gt;</c> is shown, never run, wherever the diagram is rendered.
/// </summary>
internal static class MermaidGraph
{
    /// <summary>Stages left to right; the shape says the kind: a stadium for a source, a hexagon for a contract, a
    /// box for a transform, a cylinder for a sink. The label is the name and, from a file, the component.</summary>
    public static string Of(PipelineDefinition pipeline) =>
        OfStages(pipeline.Stages.Select(s => (s.Name, s.Kind, s.Component is { } component && component != s.Name ? component : null,
            (IReadOnlyList<string>)s.Inputs)));

    /// <summary>A run's stages as the state store kept them (no components): what the dashboard shows beside its
    /// drawing of the same graph.</summary>
    public static string Of(IReadOnlyList<StageCounts> stages) =>
        OfStages(stages.Select(s => (s.Stage, s.Kind, (string?)null, s.Inputs)));

    private static string OfStages(IEnumerable<(string Name, StageKind Kind, string? Component, IReadOnlyList<string> Inputs)> stages)
    {
        var list = stages.ToList();
        var text = new StringBuilder("flowchart LR\n");
        var ids = Ids(list.Select(s => s.Name), "s");
        foreach (var stage in list)
        {
            string label = Label(stage.Name, stage.Component);
            var (open, close) = stage.Kind switch
            {
                StageKind.Source => ("([", "])"),
                StageKind.Contract => ("{{", "}}"),
                StageKind.Sink => ("[(", ")]"),
                _ => ("[", "]"),
            };
            text.Append($"  {ids[stage.Name]}{open}\"{label}\"{close}\n");
        }
        foreach (var stage in list)
        {
            foreach (string input in stage.Inputs.Distinct().Where(ids.ContainsKey))
            {
                text.Append($"  {ids[input]} --> {ids[stage.Name]}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Tasks top to bottom, each after the tasks it depends on; a command is a box, a pipeline a box with
    /// double sides, a C# delegate a rounded box. A mapped task says over what.</summary>
    public static string Of(FlowDefinition flow)
    {
        var text = new StringBuilder("flowchart TB\n");
        var ids = Ids(flow.Tasks.Select(t => t.Name), "t");
        foreach (var task in flow.Tasks)
        {
            string detail = string.Join(", ", new[] { task.Action.Kind, Mapped(task.Map) }.Where(d => d is not null));
            string label = Label(task.Name, detail);
            var (open, close) = task.Action switch
            {
                PipelineTaskAction => ("[[", "]]"),
                DelegateTaskAction => ("(", ")"),
                _ => ("[", "]"),
            };
            text.Append($"  {ids[task.Name]}{open}\"{label}\"{close}\n");
        }
        foreach (var task in flow.Tasks)
        {
            foreach (string upstream in task.DependsOn.Distinct().Where(ids.ContainsKey))
            {
                text.Append($"  {ids[upstream]} --> {ids[task.Name]}\n");
            }
        }
        return text.ToString();
    }

    private static string? Mapped(TaskMap? map) => map switch
    {
        null => null,
        { Glob: { } glob } => $"map over files {glob}",
        { LinesOf: { } upstream } => $"map over the result of {upstream}",
        { Items: { } items } => $"map over {items.Count} items",
        _ => "mapped",
    };

    private static Dictionary<string, string> Ids(IEnumerable<string> names, string prefix)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            ids.TryAdd(name, prefix + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return ids;
    }

    private static string Label(string name, string? detail) =>
        detail is null ? Escape(name) : $"{Escape(name)}<br/><small>{Escape(detail)}</small>";

    /// <summary>Every character that is not a plain letter, digit, space or harmless punctuation, as a Mermaid
    /// entity code (<c>#34;</c>), which Mermaid turns into the character as text.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || " _-.,:/*()+=@$%!?'".Contains((char)rune.Value)))
            {
                escaped.Append((char)rune.Value);
            }
            else
            {
                escaped.Append('#').Append(rune.Value).Append(';');
            }
        }
        return escaped.ToString();
    }
}
