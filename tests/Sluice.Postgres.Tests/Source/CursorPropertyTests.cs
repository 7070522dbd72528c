using CsCheck;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>The cursor's promise as a property: over random sequences of inserts and updates — most sharing their
/// cursor value with others, ties often committed after a run read part of them, with smaller keys; pages of one to
/// three rows — interleaved with runs, the union of what the runs read is exactly the set of (id, version) present in
/// the table when some run started, none read twice. Present and readable: a version with the newest cursor value at
/// a run's start waits for a newer value (more ties may still come), so it counts if it is still there, below a
/// newer value, when a later run starts; each sequence ends with a newer value and a run to read what waited.</summary>
public sealed class CursorPropertyTests(PostgresFixture fixture) : SourceTest(fixture)
{
    private enum Step { Insert, Update, Tick, Run }

    private static readonly Gen<(Step, int)> Steps = Gen.Select(
        Gen.Frequency((4, Gen.Const(Step.Insert)), (3, Gen.Const(Step.Update)), (1, Gen.Const(Step.Tick)), (2, Gen.Const(Step.Run))),
        Gen.Int[0, 1000]);

    [Fact]
    public async Task Every_version_readable_when_a_run_starts_is_read_by_exactly_one_run()
    {
        int samples = 0;
        await Steps.Array[4, 30].SampleAsync(async steps =>
        {
            int n = Interlocked.Increment(ref samples);
            string table = $"items_{n}";
            string output = $"out_{n}";
            string state = Dir.File($"state_{n}.db");
            await CreateItemsAsync(table);
            string pipeline = ItemsPipeline($"batch_size: {1 + n % 3}", everyRecords: 1 + n % 4, output: output,
                file: $"p{n}.yaml", table: table, name: $"prop-{n}");
            var expected = new HashSet<(long, long)>();
            var ids = new List<long>();
            int tick = 0;
            foreach (var (step, pick) in steps.Append((Step.Tick, 0)).Append((Step.Insert, 0)).Append((Step.Run, 0)))
            {
                switch (step)
                {
                    case Step.Insert:
                        ids.Add(ids.Count + 1);
                        await InsertAsync(ids.Count, 1, tick, table);
                        break;
                    case Step.Update when ids.Count > 0:
                        await UpdateAsync([ids[pick % ids.Count]], tick, table);
                        break;
                    case Step.Tick:
                        tick++;
                        break;
                    case Step.Run:
                        expected.UnionWith(await ReadableAsync(table));
                        Succeeded(await RunAsync(pipeline, state));
                        AssertExactlyOnce(expected, Output(output));
                        break;
                }
            }
        }, iter: 15, threads: 1, print: steps => string.Join(" ", steps.Select(s => $"{s.Item1}:{s.Item2}")));
    }
}
