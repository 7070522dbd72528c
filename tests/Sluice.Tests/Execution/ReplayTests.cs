using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Replay;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary><c>sluice dlq replay</c> in the engine: dead letters re-run through the pipeline as it is now, from their
/// source's parser along the path to the stage that rejected them; the records that now pass are written once,
/// the others stay with one attempt more, and the counts reconcile.</summary>
public sealed class ReplayTests : StateStoreTest
{
    // ids 0..999; every 10th has amount 150 (over the first contract's max), ids 500..504 are broken CSV lines,
    // id 990 has amount 5000 (over even the fixed contract's max).
    private const int Rows = 1000;
    private static readonly int[] Broken = [500, 501, 502, 503, 504];

    [Fact]
    public async Task Fixing_the_contract_then_replaying_writes_the_fixed_records_once_and_keeps_the_rest()
    {
        WriteCsv("in/a.csv", 0, Rows);
        var first = await RunAsync(Linear(max: 100));
        var overMax = Enumerable.Range(0, Rows).Where(i => i % 10 == 0 && !Broken.Contains(i)).ToList();
        Assert.Equal(RunState.Succeeded, first.Run.State);
        Assert.Equal(overMax.Count + Broken.Length, first.Run.DeadLettered);

        var replay = await ReplayAsync(Linear(max: 1000));

        Assert.True(replay.Succeeded);
        Assert.Equal(overMax.Count + Broken.Length, replay.Selected);
        var run = Assert.Single(replay.Runs).Run;
        Assert.Equal((long)overMax.Count + Broken.Length, run.RecordsRead);
        Assert.Equal(overMax.Count - 1, run.RecordsWritten); // all but 990 now pass
        Assert.Equal(Broken.Length + 1, run.DeadLettered);
        var expected = Enumerable.Range(0, Rows).Where(i => !Broken.Contains(i) && i != 990).Select(i => (long)i);
        Assert.Equal(expected, Output("out").Order()); // each exactly once
        var left = await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Limit: 100));
        Assert.Equal(Broken.Length + 1, left.Count);
        Assert.All(left, l => Assert.Equal(2, l.Attempts));
        Assert.All(left, l => Assert.Equal(run.Id, l.RunId));
        Assert.Equal(Broken.Select(b => (long)b + 2).Append(992).Order(), left.Select(l => l.Line).Order()); // same origins
        Assert.Equal(DeadLetterReason.Contract, left.Single(l => l.Line == 992).Reason);

        var again = await ReplayAsync(Linear(max: 1000));
        Assert.Equal(Broken.Length + 1, again.Selected);
        Assert.All(await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Limit: 100)), l => Assert.Equal(3, l.Attempts));
        Assert.Equal(expected, Output("out").Order());
    }

    [Fact]
    public async Task Filters_choose_the_letters_and_leave_the_others_alone()
    {
        WriteCsv("in/a.csv", 0, Rows);
        await RunAsync(Linear(max: 100));

        var replay = await ReplayAsync(Linear(max: 1000), new DeadLetterQuery(Reason: DeadLetterReason.Parse));

        Assert.Equal(Broken.Length, replay.Selected);
        Assert.Equal(0, replay.Runs.Single().Run.RecordsWritten);
        var left = await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Limit: 1000));
        Assert.Equal(Broken.Length, left.Count(l => l.Reason == DeadLetterReason.Parse && l.Attempts == 2));
        Assert.All(left.Where(l => l.Reason == DeadLetterReason.Contract), l => Assert.Equal(1, l.Attempts));

        var none = await ReplayAsync(Linear(max: 1000), new DeadLetterQuery(Stage: "no-such-stage"));
        Assert.Equal(0, none.Selected);
        Assert.Empty(none.Runs);
        var future = await ReplayAsync(Linear(max: 1000), new DeadLetterQuery { Since = DateTimeOffset.UtcNow.AddMinutes(5) });
        Assert.Equal(0, future.Selected);
    }

    [Fact]
    public async Task A_letter_rejected_on_one_branch_is_not_written_again_to_the_other()
    {
        WriteCsv("in/a.csv", 0, Rows, divisorZeroEvery: 7);
        var first = await RunAsync(Branches(divide: "100 / divisor"));
        var zero = Enumerable.Range(0, Rows).Where(i => i % 7 == 0 && i % 10 != 0 && !Broken.Contains(i)).ToList();
        Assert.Equal(zero.Count, (await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Stage: "ratio", Limit: 1000))).Count);
        var allBefore = Output("all");

        var replay = await ReplayAsync(Branches(divide: "100 / (divisor + 1)"), new DeadLetterQuery(Stage: "ratio"));

        Assert.True(replay.Succeeded);
        var group = Assert.Single(replay.Groups);
        Assert.Equal(["check", "ratio", "ratios", "source"], group.Stages.Order(StringComparer.Ordinal));
        Assert.Equal(allBefore.Order(), Output("all").Order()); // the branch that had them gets nothing again
        var ratios = Output("ratios");
        Assert.Equal(ratios.Count, ratios.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, Rows).Where(i => i % 10 != 0 && !Broken.Contains(i)).Select(i => (long)i), ratios.Order());
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Stage: "ratio")));
    }

    [Fact]
    public async Task Jsonl_records_are_parsed_again_by_the_jsonl_source()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            text.Append(i % 10 == 0 ? $"{{\"id\":{i},\"amount\":150}}\n" : $"{{\"id\":{i},\"amount\":5}}\n");
        }
        Dir.Write("in/a.jsonl", text.ToString());
        string Yaml(int max) => $$"""
            name: replay
            source: { type: jsonl, path: "in/*.jsonl" }
            contract:
              fields:
                id: { type: int64, required: true }
                amount: { type: int64, max: {{max}} }
            sink: { type: jsonl, path: out }
            """;
        await RunAsync(Yaml(100));

        var replay = await ReplayAsync(Yaml(1000));

        Assert.Equal(10, replay.Runs.Single().Run.RecordsWritten);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Output("out").Order());
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery("replay")));
    }

    [Fact]
    public async Task Parquet_rows_come_back_from_their_letters_with_every_type_and_value_intact()
    {
        const int N = 300;
        var ts = new TimestampType(TimeUnit.Microsecond, "UTC");
        var batch = new RecordBatch.Builder()
            .Append("id", false, new Int64Array.Builder().AppendRange(Enumerable.Range(0, N).Select(i => (long)i)).Build())
            .Append("d", true, new Int64Array.Builder().AppendRange(Enumerable.Range(0, N).Select(i => i % 9 == 0 ? 0L : i)).Build())
            .Append("f", true, Each(new DoubleArray.Builder(), N, (b, i) => b.Append(i % 50 == 0 ? double.NaN : i % 45 == 0 ? double.NegativeInfinity : i / 3.0)).Build())
            .Append("b", true, Each(new BooleanArray.Builder(), N, (b, i) => { if (i % 4 == 0) b.AppendNull(); else b.Append(i % 3 == 0); }).Build())
            .Append("s", true, Each(new StringArray.Builder(), N, (b, i) => b.Append(i % 18 == 0 ? "quote \" \\ é" : $"s{i}")).Build())
            .Append("day", true, Each(new Date32Array.Builder(), N, (b, i) => b.Append(new DateOnly(1969, 12, 1).AddDays(i))).Build())
            .Append("at", true, Each(new TimestampArray.Builder(ts), N, (b, i) => b.Append(DateTimeOffset.UnixEpoch.AddTicks(-7_000_000_000L + i * 123_456_780L))).Build())
            .Append("price", true, Each(new Decimal128Array.Builder(new Decimal128Type(28, 9)), N, (b, i) => { if (i % 27 == 0) b.AppendNull(); else b.Append(i * -1.000000001m); }).Build())
            .Build();
        Directory.CreateDirectory(Dir.File("in"));
        using (var writer = new ParquetSharp.Arrow.FileWriter(Dir.File("in/a.parquet"), batch.Schema))
        {
            writer.WriteRecordBatch(batch);
            writer.Close();
        }
        string Yaml(string output, string divide) => $$"""
            name: {{output}}
            source: { type: parquet, path: "in/*.parquet" }
            transforms:
              - derive: { r: "{{divide}}" }
            sink: { type: jsonl, path: {{output}} }
            """;
        const string Fixed = "100 / CASE WHEN d = 0 THEN 1 ELSE d END";
        await RunAsync(Yaml("direct", Fixed));
        var failed = await RunAsync(Yaml("replayed", "100 / d"));
        Assert.Equal(N / 9 + 1, failed.Run.DeadLettered);

        var replay = await ReplayAsync(Yaml("replayed", Fixed));

        Assert.True(replay.Succeeded);
        Assert.Equal(N / 9 + 1, replay.Runs.Single().Run.RecordsWritten);
        var direct = Lines("direct");
        Assert.Equal(N, direct.Count);
        Assert.Equal(direct, Lines("replayed")); // the replayed rows are the rows a fixed run writes, byte for byte
    }

    private static TBuilder Each<TBuilder>(TBuilder builder, int n, Action<TBuilder, int> append)
    {
        for (int i = 0; i < n; i++)
        {
            append(builder, i);
        }
        return builder;
    }

    private List<string> Lines(string folder) =>
        Directory.GetFiles(Dir.File(folder), "*.jsonl").SelectMany(File.ReadLines).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Letters_behind_a_union_go_back_through_the_source_that_read_them()
    {
        WriteCsv("in/a-1.csv", 0, 500);
        WriteCsv("in/b-1.csv", 500, 500);
        string Yaml(int max) => $$"""
            name: replay
            stages:
              - name: left
                source: { type: csv, path: "in/a-*.csv" }
              - name: right
                source: { type: csv, path: "in/b-*.csv" }
              - name: check
                from: [left, right]
                contract:
                  fields:
                    id: { type: int64, required: true }
                    amount: { type: int64, max: {{max}} }
                    divisor: { type: int64 }
              - name: sink
                from: check
                sink: { type: jsonl, path: out }
            """;
        await RunAsync(Yaml(100));

        var replay = await ReplayAsync(Yaml(1000), new DeadLetterQuery(Stage: "check"));

        Assert.True(replay.Succeeded);
        // Groups come in the order of their first letter, and the union interleaves the two sources' letters.
        var written = replay.Groups.Zip(replay.Runs, (g, r) => (g.Source, r.Run.RecordsWritten)).Order().ToList();
        Assert.Equal([("left", 50L), ("right", 48L)], written); // 0, 10 … 490; 510 … 980 (not 990, not 500: broken)
        Assert.Equal(Enumerable.Range(0, Rows).Where(i => !Broken.Contains(i) && i != 990).Select(i => (long)i), Output("out").Order());
    }

    [Fact]
    public async Task A_stage_reached_by_two_paths_from_one_source_is_refused()
    {
        WriteCsv("in/a.csv", 0, Rows);
        string Yaml(int max) => $$"""
            name: replay
            stages:
              - name: source
                source: { type: csv, path: "in/*.csv" }
              - name: low
                from: source
                filter: "CAST(id AS int64) < 500"
              - name: high
                from: source
                filter: "CAST(id AS int64) >= 500"
              - name: check
                from: [low, high]
                contract:
                  fields:
                    id: { type: int64, required: true }
                    amount: { type: int64, max: {{max}} }
                    divisor: { type: int64 }
              - name: sink
                from: check
                sink: { type: jsonl, path: out }
            """;
        await RunAsync(Yaml(100));

        var e = await Assert.ThrowsAsync<PipelineException>(() => ReplayAsync(Yaml(1000), new DeadLetterQuery(Stage: "check")));

        Assert.Contains("stage 'check' is reached from source 'source' by more than one path", e.Message);
        Assert.All(await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Limit: 1000)), l => Assert.Equal(1, l.Attempts));
    }

    [Fact]
    public async Task A_replay_stopped_gracefully_commits_what_it_read_and_leaves_the_rest_queued()
    {
        var text = new StringBuilder("id,amount,divisor\n");
        for (int id = 0; id < 3000; id++)
        {
            text.Append(id).Append(",150,4\n"); // every record over the first contract's max
        }
        Dir.Write("in/a.csv", text.ToString());
        await RunAsync(Linear(max: 100));
        // The fixed pipeline also gains a slow stage after the contract: a replay goes downstream of it as it is now.
        var fixedPipeline = Load(Linear(max: 1000));
        fixedPipeline = fixedPipeline with
        {
            Stages = [.. fixedPipeline.Stages.Take(2), new("slow", new SlowTransformOptions(TimeSpan.FromMilliseconds(50)), ["contract"]),
                fixedPipeline.Stages[2] with { Inputs = ["slow"] }],
        };
        using var stop = new CancellationTokenSource();
        var runner = new PipelineRunner(Store, new RunnerOptions { BatchSize = 100 });

        var replaying = runner.ReplayAsync(fixedPipeline, new DeadLetterQuery(), stopReading: stop.Token);
        Assert.True(SpinWait.SpinUntil(() => Store.ListRunsAsync("replay").GetAwaiter().GetResult().Any(r => r.Kind == RunKinds.Replay), TimeSpan.FromSeconds(20)),
            "the replay run never started");
        await Task.Delay(300);
        stop.Cancel();
        var stopped = await replaying;

        var run = Assert.Single(stopped.Runs).Run;
        Assert.Equal(RunState.Stopped, run.State);
        int written = Output("out").Count;
        long left = await Store.CountDeadLettersAsync(new DeadLetterQuery("replay"));
        Assert.True(written is >= 100 and < 3000, $"{written} written before the stop");
        Assert.Equal(written, run.RecordsWritten); // what was read drained into the final checkpoint
        Assert.Equal(3000, written + left); // and its letters left the queue, the others stayed

        var rest = await runner.ReplayAsync(fixedPipeline, new DeadLetterQuery());

        Assert.True(rest.Succeeded);
        Assert.Equal(left, rest.Selected);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), Output("out").Order());
    }

    [Fact]
    public async Task Letters_of_a_stage_that_is_gone_are_refused_and_nothing_is_replayed()
    {
        WriteCsv("in/a.csv", 0, Rows);
        await RunAsync(Linear(max: 100));
        var pipeline = PipelineFile.Parse(Dir.Write("renamed.yaml", """
            name: replay
            stages:
              - name: source
                source: { type: csv, path: "in/*.csv" }
              - name: checked
                from: source
                contract:
                  fields:
                    id: { type: int64, required: true }
                    amount: { type: int64, max: 1000 }
              - name: sink
                from: checked
                sink: { type: jsonl, path: out }
            """)) with { BaseDirectory = Dir.Path };

        var e = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store).ReplayAsync(pipeline, new DeadLetterQuery()));

        Assert.Contains("stage 'contract' is no longer in the pipeline", e.Message);
        Assert.All(await Store.ListDeadLettersAsync(new DeadLetterQuery("replay", Limit: 1000)), l => Assert.Equal(1, l.Attempts));
        Assert.DoesNotContain(await Store.ListRunsAsync("replay"), r => r.Kind == RunKinds.Replay);
    }

    private static string Linear(int max) => $$"""
        name: replay
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
            amount: { type: int64, max: {{max}} }
            divisor: { type: int64 }
        sink: { type: jsonl, path: out }
        """;

    private static string Branches(string divide) => $$"""
        name: replay
        stages:
          - name: source
            source: { type: csv, path: "in/*.csv" }
          - name: check
            from: source
            contract:
              fields:
                id: { type: int64, required: true }
                amount: { type: int64, max: 100 }
                divisor: { type: int64 }
          - name: all
            from: check
            sink: { type: jsonl, path: all }
          - name: ratio
            from: check
            derive: { ratio: "{{divide}}" }
          - name: ratios
            from: ratio
            sink: { type: jsonl, path: ratios }
        """;

    private void WriteCsv(string name, int first, int rows, int divisorZeroEvery = 0)
    {
        var text = new StringBuilder("id,amount,divisor\n");
        for (int id = first; id < first + rows; id++)
        {
            int divisor = divisorZeroEvery > 0 && id % divisorZeroEvery == 0 ? 0 : 4;
            text.Append(Broken.Contains(id) ? $"{id},1,2,3\n" : $"{id},{(id == 990 ? 5000 : id % 10 == 0 ? 150 : 5)},{divisor}\n");
        }
        Dir.Write(name, text.ToString());
    }

    private async Task<RunOutcome> RunAsync(string yaml) => await new PipelineRunner(Store).RunAsync(Load(yaml));

    private async Task<ReplayOutcome> ReplayAsync(string yaml, DeadLetterQuery? selection = null) =>
        await new PipelineRunner(Store).ReplayAsync(Load(yaml), selection ?? new DeadLetterQuery());

    private PipelineDefinition Load(string yaml) => PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };

    private List<long> Output(string folder) => JsonlOutput.Ids(Dir.File(folder));
}
