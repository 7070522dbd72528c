using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Replay;

/// <summary>
/// Decides which stages each selected dead letter goes through again. A record rejected by stage S passed every
/// stage before S, and the stages that branch off before S already have it: it must enter at its source (whose
/// parser reads its original bytes), follow the path to S without reaching those branches, and then go everywhere
/// downstream of S. Letters that need the same stages form one group, replayed by one run.
/// </summary>
internal static class ReplayPlan
{
    private const int PageSize = 10_000;

    /// <param name="sources">The pipeline's built sources by name, to parse records and to tell which source read a
    /// file when several feed a stage.</param>
    public static async Task<IReadOnlyList<ReplayGroup>> CreateAsync(PipelineDefinition pipeline, IReadOnlyDictionary<string, ISource> sources,
        IStateStore store, DeadLetterQuery selection, CancellationToken cancellationToken)
    {
        var graph = new Graph(pipeline);
        var groups = new Dictionary<string, (ReplayGroup Group, List<long> Ids, Dictionary<string, long> ByStage)>(StringComparer.Ordinal);
        var routes = new Dictionary<(string Source, string Stage), (string Key, HashSet<string> Stages)>();
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var query = selection with { OldestFirst = true, Limit = PageSize };
        while (await store.ListDeadLettersAsync(query, cancellationToken) is { Count: > 0 } page)
        {
            query = query with { AfterId = page[^1].Id };
            foreach (var letter in page)
            {
                if (!graph.Has(letter.Stage))
                {
                    problems.Add($"stage '{letter.Stage}' is no longer in the pipeline; restore it, or leave its letters out (--stage) or purge them");
                    continue;
                }
                if (SourceOf(graph, sources, letter.Stage, letter.Input, problems) is not { } source)
                {
                    continue;
                }
                if (!routes.TryGetValue((source, letter.Stage), out var route))
                {
                    if (graph.Paths(source, letter.Stage) > 1)
                    {
                        problems.Add($"stage '{letter.Stage}' is reached from source '{source}' by more than one path, so which one a record " +
                            "took is unknown; replay cannot re-run its letters");
                        continue;
                    }
                    var stages = graph.Route(source, letter.Stage);
                    route = (string.Join('\n', pipeline.Stages.Select(s => s.Name).Where(stages.Contains)), stages);
                    routes[(source, letter.Stage)] = route;
                }
                if (!groups.TryGetValue(route.Key, out var group))
                {
                    var ids = new List<long>();
                    var byStage = new Dictionary<string, long>(StringComparer.Ordinal);
                    group = (new ReplayGroup(source, route.Stages, ids, byStage), ids, byStage);
                    groups[route.Key] = group;
                }
                group.Ids.Add(letter.Id);
                group.ByStage[letter.Stage] = group.ByStage.GetValueOrDefault(letter.Stage) + 1;
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(null, "cannot replay: " + string.Join("; ", problems) + "; nothing was replayed");
        }
        return groups.Values.Select(g => g.Group).OrderBy(g => g.Ids[0]).ToList();
    }

    /// <summary>The source a record rejected by <paramref name="stage"/> came from: the only source upstream of it,
    /// else the one that reads <paramref name="file"/>.</summary>
    private static string? SourceOf(Graph graph, IReadOnlyDictionary<string, ISource> sources, string stage, string file, SortedSet<string> problems)
    {
        var candidates = graph.SourcesOf(stage);
        var readers = candidates.Count == 1
            ? candidates
            : candidates.Where(c => sources[c] is IReplayableSource r && r.Reads(file)).ToList();
        if (readers.Count != 1)
        {
            problems.Add($"{(readers.Count == 0 ? "no" : "more than one")} source of stage '{stage}' ({string.Join(", ", candidates)}) reads {file}");
            return null;
        }
        if (sources[readers[0]] is not IReplayableSource)
        {
            problems.Add($"source '{readers[0]}' cannot read its records again from their original bytes");
            return null;
        }
        return readers[0];
    }

    /// <summary>The pipeline's stages and edges, by name.</summary>
    private sealed class Graph
    {
        private readonly Dictionary<string, StageDefinition> _stages;
        private readonly Dictionary<string, List<string>> _downstream;
        private readonly IReadOnlyList<StageDefinition> _order;

        public Graph(PipelineDefinition pipeline)
        {
            _order = PipelineGraph.Order(pipeline);
            _stages = pipeline.Stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
            _downstream = pipeline.Stages.ToDictionary(s => s.Name, _ => new List<string>(), StringComparer.Ordinal);
            foreach (var stage in pipeline.Stages)
            {
                foreach (var input in stage.Inputs)
                {
                    _downstream[input].Add(stage.Name);
                }
            }
        }

        public bool Has(string stage) => _stages.ContainsKey(stage);

        public List<string> SourcesOf(string stage) =>
            Closure(stage, s => _stages[s].Inputs).Where(s => _stages[s].Kind == StageKind.Source).Order(StringComparer.Ordinal).ToList();

        /// <summary>The stages on the paths from <paramref name="source"/> to <paramref name="stage"/>, and every
        /// stage downstream of <paramref name="stage"/>.</summary>
        public HashSet<string> Route(string source, string stage)
        {
            var route = Closure(stage, s => _stages[s].Inputs);
            route.IntersectWith(Closure(source, s => _downstream[s]));
            route.UnionWith(Closure(stage, s => _downstream[s]));
            return route;
        }

        /// <summary>How many distinct paths lead from <paramref name="source"/> to <paramref name="stage"/>.</summary>
        public long Paths(string source, string stage)
        {
            var paths = new Dictionary<string, long>(StringComparer.Ordinal) { [source] = 1 };
            foreach (var s in _order.Where(s => s.Name != source))
            {
                paths[s.Name] = s.Inputs.Sum(i => paths.GetValueOrDefault(i));
            }
            return paths.GetValueOrDefault(stage);
        }

        /// <summary><paramref name="start"/> and every stage reachable from it by <paramref name="next"/>.</summary>
        private static HashSet<string> Closure(string start, Func<string, IEnumerable<string>> next)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { start };
            var todo = new Stack<string>([start]);
            while (todo.TryPop(out var current))
            {
                foreach (var n in next(current))
                {
                    if (seen.Add(n))
                    {
                        todo.Push(n);
                    }
                }
            }
            return seen;
        }
    }
}
