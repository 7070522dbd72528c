using Sluice.Pipelines;
using Sluice.State;

namespace Sluice;

/// <summary>
/// One sink's reconciliation, <c>in = out + dead + filtered</c>, which holds for every valid graph when each figure
/// counts a record once per path it takes from a source to this sink. On a chain, or on a tree (fan-out: one stage
/// feeding several branches; union: several sources feeding one stage), each record has at most one path to a sink,
/// so <see cref="In"/> is what the sources upstream of the sink read and <see cref="DeadLettered"/> and
/// <see cref="Filtered"/> are what the stages on the way to it rejected and dropped. Only where branches of one
/// source meet again (a diamond) does a record count once per path. A run-wide sum of outs cannot balance: with two
/// sinks every record is written twice.
/// </summary>
/// <param name="In">Records the sources upstream of the sink read, once per path to the sink.</param>
/// <param name="Out">Records the sink wrote (processed, whether a checkpoint published them or not).</param>
/// <param name="DeadLettered">Records dead-lettered by the stages on the sink's paths, the sink included.</param>
/// <param name="Filtered">Records dropped by the stages on the sink's paths.</param>
public sealed record SinkBalance(string Sink, long In, long Out, long DeadLettered, long Filtered)
{
    public bool Balances => In == Out + DeadLettered + Filtered;

    /// <summary>Records of <see cref="Out"/> that a committed checkpoint published; the rest were written after the
    /// last checkpoint and are not in the output.</summary>
    public long Published { get; init; }

    /// <summary>Each sink's balance, in stage order; empty when the counts do not carry the graph (runs stored
    /// before it was kept). <paramref name="published"/>: the counts of the last committed checkpoint, whose sink outs
    /// are what was published (null: none committed).</summary>
    public static IReadOnlyList<SinkBalance> Of(IReadOnlyList<StageCounts> stages, IReadOnlyList<StageCounts>? published = null)
    {
        if (stages.All(s => s.Inputs.Count == 0))
        {
            return [];
        }
        var byName = stages.ToDictionary(s => s.Stage, StringComparer.Ordinal);
        var downstream = stages.ToDictionary(s => s.Stage, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            foreach (var input in stage.Inputs.Where(byName.ContainsKey))
            {
                downstream[input].Add(stage.Stage); // a stage listed twice gets its input twice, as the runner sends it
            }
        }
        var balances = new List<SinkBalance>();
        foreach (var sink in stages.Where(s => s.Kind == StageKind.Sink))
        {
            var paths = new Dictionary<string, long>(StringComparer.Ordinal);
            long read = 0, dead = 0, filtered = 0;
            foreach (var stage in stages)
            {
                long n = Paths(stage.Stage, sink.Stage, downstream, paths);
                read += stage.Kind == StageKind.Source ? n * stage.In : 0;
                dead += n * stage.DeadLettered;
                filtered += n * stage.Filtered;
            }
            long committed = published?.FirstOrDefault(c => c.Stage == sink.Stage)?.Out ?? 0;
            balances.Add(new SinkBalance(sink.Stage, read, sink.Out, dead, filtered) { Published = committed });
        }
        return balances;
    }

    /// <summary>How many paths lead from <paramref name="stage"/> to <paramref name="sink"/> (1 for the sink itself).</summary>
    private static long Paths(string stage, string sink, Dictionary<string, List<string>> downstream, Dictionary<string, long> memo)
    {
        if (stage == sink)
        {
            return 1;
        }
        if (memo.TryGetValue(stage, out long known))
        {
            return known;
        }
        long paths = 0;
        foreach (var next in downstream[stage])
        {
            paths += Paths(next, sink, downstream, memo);
        }
        return memo[stage] = paths;
    }
}
