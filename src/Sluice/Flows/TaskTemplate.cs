using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sluice.Flows;

/// <summary>
/// References in a task's texts, filled in when the instance runs: <c>${params.NAME}</c>, <c>${item}</c> (a mapped
/// instance's item), <c>${partition}</c>, <c>${flow.name}</c>, <c>${flow.run_id}</c>, and <c>${tasks.NAME}</c> or
/// <c>${tasks.NAME.member.member}</c> (an upstream result or a member of it: a string as it is, anything else as
/// JSON). <c>$${</c> writes a literal <c>${</c>, for a shell variable in a command. <c>${env:NAME}</c> is not one of
/// these: it is replaced when the file is loaded, as in pipeline files.
/// </summary>
internal static partial class TaskTemplate
{
    /// <summary>A reference found in a text: its root (<c>params</c>, <c>item</c>, <c>partition</c>, <c>flow</c>,
    /// <c>tasks</c>) and the dotted path after it.</summary>
    public sealed record Reference(string Root, IReadOnlyList<string> Path, string Text);

    /// <summary>The references in <paramref name="text"/>, or a message saying what is wrong with one.</summary>
    public static IReadOnlyList<Reference> Find(string text, out string? problem)
    {
        problem = null;
        var found = new List<Reference>();
        foreach (Match match in Pattern().Matches(text))
        {
            if (match.Groups["escape"].Success)
            {
                continue;
            }
            if (match.Groups["open"].Success)
            {
                problem = $"'{text[match.Index..]}' opens a reference with ${{ and never closes it with }} (write $${{ for a literal ${{)";
                return [];
            }
            string inner = match.Groups["inner"].Value;
            if (inner.StartsWith("env:", StringComparison.Ordinal))
            {
                continue; // left by the loader only when unresolvable, which it reports
            }
            var parts = inner.Split('.');
            string root = parts[0];
            var path = parts.Skip(1).ToList();
            string? wrong = root switch
            {
                "params" when path.Count != 1 || path[0].Length == 0 => "write ${params.NAME}",
                "item" or "partition" when path.Count != 0 => $"${{{root}}} has no members",
                "flow" when path is not ["name"] and not ["run_id"] => "write ${flow.name} or ${flow.run_id}",
                "tasks" when path.Count == 0 || path.Any(p => p.Length == 0) => "write ${tasks.NAME} or ${tasks.NAME.member}",
                "params" or "item" or "partition" or "flow" or "tasks" => null,
                _ => "expected ${params.NAME}, ${item}, ${partition}, ${flow.name}, ${flow.run_id} or ${tasks.NAME…}",
            };
            if (wrong is not null)
            {
                problem = $"'{match.Value}' is not a reference this can fill in: {wrong} (and $${{…}} for a literal ${{…}})";
                return [];
            }
            found.Add(new Reference(root, path, match.Value));
        }
        return found;
    }

    /// <summary>The text with every reference filled in from <paramref name="scope"/>.</summary>
    /// <exception cref="FlowException">A reference names a parameter, item or task result that is not there.</exception>
    public static string Expand(string text, TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }
        return Pattern().Replace(text, match =>
        {
            if (match.Groups["escape"].Success)
            {
                return "${";
            }
            if (match.Groups["open"].Success)
            {
                throw new FlowException($"'{text[match.Index..]}' opens a reference with ${{ and never closes it");
            }
            var parts = match.Groups["inner"].Value.Split('.');
            return parts[0] switch
            {
                "params" when scope.Parameters.TryGetValue(parts[1], out var value) => value,
                "item" when scope.Item is { } item => item,
                "partition" when scope.Partition is { } partition => partition,
                "flow" when parts[1] == "name" => scope.FlowName,
                "flow" => scope.FlowRunId,
                "tasks" when scope.Upstream.TryGetValue(parts[1], out var result) => Render(Member(result, parts.AsSpan(2), match.Value)),
                _ => throw new FlowException($"{match.Value}: {What(parts[0])}"),
            };
        });
    }

    private static string What(string root) => root switch
    {
        "params" => "no such parameter",
        "item" => "only a mapped task has an item",
        "partition" => "only a partitioned flow has a partition",
        _ => "no result of that task here (name it in depends_on)",
    };

    private static JsonNode? Member(JsonNode? node, ReadOnlySpan<string> path, string reference)
    {
        foreach (string name in path)
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(name, out var child) => child,
                JsonArray a when int.TryParse(name, out int i) && i >= 0 && i < a.Count => a[i],
                _ => throw new FlowException($"{reference}: the result has no member '{name}'"),
            };
        }
        return node;
    }

    private static string Render(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>Escapes a value so that it reads back as itself.</summary>
    public static string Literal(string text) => text.Replace("${", "$${", StringComparison.Ordinal);

    [GeneratedRegex(@"(?<escape>\$\$\{)|\$\{(?<inner>[^}]*)\}|(?<open>\$\{)")]
    private static partial Regex Pattern();
}

/// <summary>What references are filled in from.</summary>
internal sealed record TemplateScope(string FlowName, string FlowRunId, IReadOnlyDictionary<string, string> Parameters,
    string? Item, string? Partition, IReadOnlyDictionary<string, JsonNode?> Upstream);
