using Sluice.Pipelines;

namespace Sluice.Flows;

/// <summary>What makes a flow unrunnable, found before anything runs: every problem, each at its task.</summary>
internal static class FlowChecks
{
    public static List<Diagnostic> Problems(FlowDefinition flow)
    {
        var problems = new List<Diagnostic>();
        void Add(FlowTask? task, string message) => problems.Add(new Diagnostic(task?.Location ?? flow.Location, message));
        if (string.IsNullOrWhiteSpace(flow.Name) || flow.Name.Any(char.IsControl))
        {
            Add(null, "name must be a non-empty line of text: flow runs are filed under it");
        }
        if (flow.Tasks.Count == 0)
        {
            Add(null, "a flow needs at least one task under `tasks:`");
        }
        if (flow.MaxParallel < 1)
        {
            Add(null, $"max_parallel must be at least 1, not {flow.MaxParallel}");
        }
        foreach (var (tag, limit) in flow.TagLimits.Where(l => l.Value < 1))
        {
            Add(null, $"limits.{tag} must be at least 1, not {limit}");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in flow.Tasks)
        {
            if (!names.Add(task.Name))
            {
                Add(task, $"task '{task.Name}' is declared twice");
            }
        }
        foreach (var task in flow.Tasks)
        {
            CheckTask(flow, task, names, m => Add(task, $"task '{task.Name}': {m}"));
        }
        if (Cycle(flow) is { } cycle)
        {
            Add(flow.Tasks.First(t => t.Name == cycle[0]), $"tasks depend on each other in a circle: {string.Join(" → ", cycle)}");
        }
        return problems;
    }

    private static void CheckTask(FlowDefinition flow, FlowTask task, HashSet<string> names, Action<string> add)
    {
        if (task.Name.Length == 0 || task.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            add("a task name is letters, digits, '_' and '-' (it is used in ${tasks.NAME})");
        }
        foreach (string dependency in task.DependsOn.Where(d => !names.Contains(d)))
        {
            add($"depends_on names '{dependency}', which is not a task of this flow");
        }
        if (task.DependsOn.Contains(task.Name))
        {
            add("depends_on names the task itself");
        }
        foreach (string tag in task.Tags.Where(t => !flow.TagLimits.ContainsKey(t)))
        {
            add($"tag '{tag}' has no limit: give it one under `limits:` (e.g. limits: {{ {tag}: 2 }})");
        }
        if (task.Retry.Retries < 0 || task.Retry.Retries > 1000)
        {
            add($"retries must be 0 to 1000, not {task.Retry.Retries}");
        }
        if (task.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            add("timeout must be longer than 0");
        }
        if (task.Map is { } map)
        {
            int sources = (map.Glob is null ? 0 : 1) + (map.Items is null ? 0 : 1) + (map.LinesOf is null ? 0 : 1);
            if (sources != 1)
            {
                add("map needs exactly one of `glob`, `items` and `lines_of`");
            }
            if (map.LinesOf is { } upstream && !task.DependsOn.Contains(upstream))
            {
                add($"map.lines_of names '{upstream}', which must be in depends_on too");
            }
            if (map.Parallel < 1)
            {
                add($"map.parallel must be at least 1, not {map.Parallel}");
            }
        }
        foreach (string text in Texts(task))
        {
            var references = TaskTemplate.Find(text, out string? problem);
            if (problem is not null)
            {
                add(problem);
                continue;
            }
            foreach (var reference in references)
            {
                string? wrong = reference.Root switch
                {
                    "params" when !flow.Parameters.ContainsKey(reference.Path[0]) =>
                        $"{reference.Text} names no parameter of the flow (declare it under `params:`)",
                    "tasks" when !task.DependsOn.Contains(reference.Path[0]) =>
                        $"{reference.Text} reads the result of '{reference.Path[0]}', which must be in depends_on",
                    "item" when task.Map is null => $"{reference.Text} is only known in a mapped task (one with `map:`)",
                    _ => null,
                };
                if (wrong is not null)
                {
                    add(wrong);
                }
            }
        }
    }

    /// <summary>Every text of the task that is filled in when it runs.</summary>
    internal static IEnumerable<string> Texts(FlowTask task)
    {
        IEnumerable<string> action = task.Action switch
        {
            PipelineTaskAction p => [p.Path, .. p.Parameters.Values],
            CommandTaskAction c => [.. c.Arguments, .. c.Environment.Values, .. (c.WorkingDirectory is { } w ? [w] : Array.Empty<string>())],
            _ => [],
        };
        var map = task.Map is { } m ? (m.Glob is { } g ? [g] : m.Items ?? []) : Enumerable.Empty<string>();
        return action.Concat(map).Concat(task.Cache?.Inputs ?? []);
    }

    /// <summary>A circle of dependencies, as the names along it (the first repeated at the end), or null. Without
    /// recursion: a chain of 10,000 tasks is a valid flow.</summary>
    private static List<string>? Cycle(FlowDefinition flow)
    {
        var byName = flow.Tasks.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().DependsOn.Where(d => d != g.Key).ToList());
        // Peel off tasks whose dependencies are all peeled off (Kahn); what is left lies on a circle or after one.
        var waiting = byName.ToDictionary(p => p.Key, p => p.Value.Count(byName.ContainsKey));
        var dependents = byName.Keys.ToDictionary(k => k, _ => new List<string>());
        foreach (var (name, dependencies) in byName)
        {
            foreach (string dependency in dependencies.Where(byName.ContainsKey))
            {
                dependents[dependency].Add(name);
            }
        }
        var ready = new Queue<string>(waiting.Where(w => w.Value == 0).Select(w => w.Key));
        while (ready.TryDequeue(out var name))
        {
            waiting.Remove(name);
            foreach (string dependent in dependents[name])
            {
                if (--waiting[dependent] == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }
        if (waiting.Count == 0)
        {
            return null;
        }
        // Walk dependencies among the rest until a name repeats: that stretch is a circle.
        var path = new List<string>();
        string at = flow.Tasks.First(t => waiting.ContainsKey(t.Name)).Name;
        while (!path.Contains(at))
        {
            path.Add(at);
            at = byName[at].First(waiting.ContainsKey);
        }
        return [.. path.Skip(path.IndexOf(at)), at];
    }
}
