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
