using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A sink may refuse a record it cannot store by dead-lettering it (a database sink: text with a NUL byte);
/// such a record is not counted out, so the sink and the run still balance, and its letter is kept like any other.</summary>
public sealed class SinkDeadLetterTests : StateStoreTest
{
    [Fact]
    public async Task Records_a_sink_dead_letters_are_not_counted_out_and_the_run_balances()
    {
        Dir.Write("in/a.csv", IdsCsv.Of(0, 100));
        var parsed = PipelineFile.Parse(Dir.Write("p.yaml", """
            name: refusing
            checkpoint: { every_records: 30 }
            source: { type: csv, path: "in/*.csv" }
            contract:
              fields:
                id: { type: int64 }
            sink: { type: jsonl, path: out }
            """)) with { BaseDirectory = Dir.Path };
        var sink = new MemorySinkOptions { Refuse = new HashSet<long> { 3, 57, 99 } };
        var pipeline = parsed with { Stages = [.. parsed.Stages.SkipLast(1), parsed.Stages[^1] with { Options = sink }] };

        var outcome = await new PipelineRunner(Store, new RunnerOptions { BatchSize = 10 }).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var counts = outcome.Stages.Single(s => s.Stage == "sink");
        Assert.Equal((100L, 97L, 3L), (counts.In, counts.Out, counts.DeadLettered));
        Assert.True(Assert.Single(outcome.Balances).Balances);
        Assert.Equal(97, sink.Published.Count);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(Reason: DeadLetterReason.Sink));
        Assert.Equal(["id 3 is refused", "id 57 is refused", "id 99 is refused"], letters.Select(l => l.Message).Order());
    }
}
