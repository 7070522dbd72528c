using System.Text;
using CsCheck;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>For any input — valid rows, bad values, broken quoting, wrong field counts, invalid UTF-8 — every stage
/// balances (in = out + dead + filtered), the run reconciles, and what the counters say is what landed on disk and in
/// the dead-letter store.</summary>
public sealed class ReconciliationPropertyTests
{
    private const string Pipeline = """
        name: any-input
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            a: { type: int64, required: true, min: 0 }
            b: { type: string, pattern: "^x" }
        transforms:
          - filter: a % 3 <> 0
          - dedupe: { key: [a] }
        sink: { type: jsonl, path: out }
        """;

    private static readonly Gen<string> Field = Gen.OneOf(
        Gen.Int[-5, 50].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Const("x1"), Gen.Const("y"), Gen.Const(""), Gen.Const("\"q,\"\"uoted\""), Gen.Const("\"open"), Gen.Const("\"ab\"c"),
        Gen.Const("abc"), Gen.String[Gen.Char.AlphaNumeric, 0, 5]);

    private static readonly Gen<byte[]> Line = Gen.OneOf(
        Field.Array[1, 4].Select(f => Encoding.UTF8.GetBytes(string.Join(",", f))),
        Gen.Byte.Array[0, 12]);

    [Fact]
    public void Every_stage_balances_for_any_input()
    {
        Gen.Select(Line.Array[0, 60], Gen.Int[1, 3]).Sample((lines, files) =>
        {
            using var dir = new TempDir();
            dir.Write("p.yaml", Pipeline);
            for (int f = 0; f < files; f++)
            {
                var content = new List<byte>(Encoding.UTF8.GetBytes("a,b\n"));
                foreach (var line in lines.Skip(f * lines.Length / files).Take(lines.Length / files + 1))
                {
                    content.AddRange(line);
                    content.Add((byte)'\n');
                }
                dir.Write($"in/{f}.csv", content.ToArray());
            }

            RunAndCheck(dir).GetAwaiter().GetResult();
        }, iter: 40);
    }

    private static readonly string[] Filters = ["a % 2 <> 0", "a % 3 <> 0", "a > 10", "a < 40"];

    /// <summary>A random valid graph: each source checked by its own contract (bad values are dead letters), then
    /// filters that read from one or two earlier stages (fan-out when two read the same stage, union when one reads
    /// two, a diamond when the two it reads share a source), then a sink for every stage nothing else reads and for
    /// a few that others read too.</summary>
    private static readonly Gen<(int Sources, (int Filter, int[] From)[] Filters, int[] ExtraSinks, string[][] Rows)> Graph =
        from sources in Gen.Int[1, 2]
        from filters in Gen.Select(Gen.Int[0, Filters.Length - 1], Gen.Int[0, 100].Array[1, 2]).Array[0, 5]
        from extra in Gen.Int[0, 100].Array[0, 2]
        from rows in Gen.OneOf(Gen.Int[0, 50].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Const("x"), Gen.Const(""))
            .Array[0, 30].Array[sources]
        select (sources, filters.Select(f => (f.Item1, f.Item2)).ToArray(), extra, rows);

    [Fact]
    public void Every_sink_balances_on_any_graph_of_fan_outs_unions_and_chains()
    {
        Graph.Sample(graph =>
        {
            using var dir = new TempDir();
            var stages = new List<string>();
            var yaml = new StringBuilder("name: any-graph\nstages:\n");
            for (int s = 0; s < graph.Sources; s++)
            {
                dir.Write($"in{s}/a.csv", "a\n" + string.Concat(graph.Rows[s].Select(r => r + "\n")));
                yaml.Append($"  - name: s{s}\n    source: {{ type: csv, path: \"in{s}/*.csv\" }}\n");
                yaml.Append($"  - name: c{s}\n    from: s{s}\n    contract: {{ fields: {{ a: {{ type: int64, required: true }} }} }}\n");
                stages.Add($"c{s}");
            }
            var read = new HashSet<string>();
            for (int f = 0; f < graph.Filters.Length; f++)
            {
                var from = graph.Filters[f].From.Select(i => stages[i % stages.Count]).Distinct().ToList();
                read.UnionWith(from);
                yaml.Append($"  - name: f{f}\n    from: [{string.Join(", ", from)}]\n    filter: \"{Filters[graph.Filters[f].Filter]}\"\n");
                stages.Add($"f{f}");
            }
            var sinks = stages.Where(s => !read.Contains(s)).Concat(graph.ExtraSinks.Select(i => stages[i % stages.Count])).Distinct().ToList();
            for (int k = 0; k < sinks.Count; k++)
            {
                yaml.Append($"  - name: k{k}\n    from: {sinks[k]}\n    sink: {{ type: jsonl, path: out{k} }}\n");
            }
            dir.Write("p.yaml", yaml.ToString());

            CheckSinks(dir, sinks.Count).GetAwaiter().GetResult();
        }, iter: 25);
    }

    private static async Task CheckSinks(TempDir dir, int sinks)
    {
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var outcome = await new PipelineRunner(store, new RunnerOptions { BatchSize = 4 }).RunAsync(PipelineFile.Load(dir.File("p.yaml")));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(sinks, outcome.Balances.Count);
        foreach (var (b, k) in outcome.Balances.Select((b, k) => (b, k)))
        {
            Assert.True(b.Balances, $"{b}");
            Assert.Equal(b.Out, b.Published);
            Assert.Equal(b.Out, JsonlLines(dir.File($"out{k}")));
        }
        Assert.Equal(outcome.Run.RecordsWritten, outcome.Run.RecordsPublished);
        // The same figures come back from the state file, for `sluice show`.
        var stored = SinkBalance.Of(await store.GetStageCountsAsync(outcome.Run.Id), (await store.GetLatestCheckpointAsync(outcome.Run.Id))?.Counts);
        Assert.Equal(outcome.Balances, stored);
    }

    private static int JsonlLines(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*.jsonl").Sum(f => File.ReadAllLines(f).Length) : 0;

    private static async Task RunAndCheck(TempDir dir)
    {
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var outcome = await new PipelineRunner(store, new RunnerOptions { BatchSize = 7 }).RunAsync(PipelineFile.Load(dir.File("p.yaml")));

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.All(outcome.Stages, s => Assert.True(s.In == s.Out + s.DeadLettered + s.Filtered, $"{s.Stage}: {s}"));
        for (int i = 1; i < outcome.Stages.Count; i++)
        {
            Assert.Equal(outcome.Stages[i - 1].Out, outcome.Stages[i].In);
        }
        var run = outcome.Run;
        Assert.Equal(run.RecordsRead, run.RecordsWritten + run.DeadLettered + run.Filtered);
        int lines = outcome.Published.Sum(p => File.ReadAllLines(p).Length);
        Assert.Equal(run.RecordsWritten, lines);
        var letters = await store.ListDeadLettersAsync(new DeadLetterQuery(RunId: run.Id, Limit: 100_000));
        Assert.Equal(run.DeadLettered, letters.Count);
        var written = outcome.Published.SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(written.Count, written.Distinct().Count()); // dedupe on a: no key twice
    }
}
