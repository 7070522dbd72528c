using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A record that makes a transform throw costs only itself: it is dead-lettered with the error after the
/// set attempts, the other records of its batch go on, and nothing is counted twice.</summary>
public sealed class PoisonRecordTests : StateStoreTest
{
    [Fact]
    public async Task A_record_that_always_throws_is_dead_lettered_and_its_batch_goes_on()
    {
        var sink = new MemorySinkOptions();
        var poison = new ThrowingTransformOptions(id => id % 1000 == 13);
        var pipeline = new PipelineDefinition("poison", [
            new("source", new MemorySourceOptions(5000), []),
            new("modulo", new ModuloTransformOptions(DeadEvery: 7, FilterEvery: 5), ["source"]),
            new("poison", poison, ["modulo"]),
            new("sink", sink, ["poison"]),
        ]);

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        var kept = Enumerable.Range(0, 5000).Where(i => i % 7 != 0 && i % 5 != 0).ToList();
        var poisoned = kept.Where(i => i % 1000 == 13).ToList();
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(kept.Except(poisoned).Select(i => (long)i), sink.Published.Order());
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Stage: "poison", Limit: 100));
        Assert.Equal(poisoned.Select(i => (long)i + 1), letters.Select(l => l.Line).Order()); // lines are 1-based
        Assert.All(letters, l => Assert.Equal(DeadLetterReason.Transform, l.Reason));
        Assert.All(letters, l => Assert.Contains("threw on this record 3 times: InvalidOperationException: poison", l.Message));
        Assert.Equal(poisoned.Count * PoisonIsolation.Attempts, poison.Calls.Count(c => c.Length == 1 && poisoned.Contains((int)c[0])));
        Assert.All(outcome.Stages, s => Assert.Equal(s.In, s.Out + s.DeadLettered + s.Filtered));
        var stage = outcome.Stages.Single(s => s.Stage == "poison");
        Assert.Equal((poisoned.Count, 0L), (stage.DeadLettered, stage.Filtered));
    }

    [Fact]
    public async Task Dead_letters_and_filtered_counts_of_a_failed_attempt_are_not_kept()
    {
        var sink = new MemorySinkOptions();
        // Filters even ids and dead-letters multiples of 3 before it throws on 77: the failed attempts' work is
        // thrown away, so each record is still counted exactly once.
        var poison = new ThrowingTransformOptions(id => id == 77) { FilterEven = true, DeadLetterEvery = 3 };
        var pipeline = new PipelineDefinition("poison", [
            new("source", new MemorySourceOptions(1000), []),
            new("poison", poison, ["source"]),
            new("sink", sink, ["poison"]),
        ]);

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        var stage = outcome.Stages.Single(s => s.Stage == "poison");
        int deadBy3 = Enumerable.Range(0, 1000).Count(i => i % 3 == 0 && i != 77);
        int filtered = Enumerable.Range(0, 1000).Count(i => i % 3 != 0 && i % 2 == 0);
        Assert.Equal((1000L, deadBy3 + 1L, (long)filtered), (stage.In, stage.DeadLettered, stage.Filtered));
        Assert.Equal(1000 - deadBy3 - 1 - filtered, sink.Published.Count);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 2000));
        Assert.Equal(letters.Count, letters.Select(l => l.Line).Distinct().Count());
    }
}

/// <summary>What poison isolation leaves to the retries instead of blaming a record: the default transient failures.</summary>
public sealed class TransientErrorTests
{
    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(TimeoutException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(DivideByZeroException), false)]
    public void Io_and_timeouts_are_transient_bugs_and_bad_data_are_not(Type error, bool transient)
    {
        var e = (Exception)Activator.CreateInstance(error)!;

        Assert.Equal(transient, RetryOn.Default.Matches(e));
        Assert.Equal(transient, RetryOn.Default.Matches(new InvalidOperationException("wrapped", e)));
    }
}

/// <summary>Throws on the rows <c>poison</c> picks (every time); can also filter and dead-letter before throwing.</summary>
internal sealed record ThrowingTransformOptions(Func<long, bool> Poison) : ITransformOptions
{
    public bool FilterEven { get; init; }
    public int DeadLetterEvery { get; init; }

    /// <summary>The ids of each batch it was applied to.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<long[]> Calls { get; } = new();

    public ITransform CreateTransform(Schema input, BuildContext context) => new Throwing(input, this);

    private sealed class Throwing(Schema input, ThrowingTransformOptions options) : ITransform
    {
        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            var ids = (Int64Array)batch.Data.Column(0);
            options.Calls.Enqueue(Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value).ToArray());
            var keep = new List<int>();
            for (int row = 0; row < batch.Length; row++)
            {
                long id = ids.GetValue(row)!.Value;
                if (options.DeadLetterEvery > 0 && id % options.DeadLetterEvery == 0)
                {
                    context.DeadLetter(batch.Origins[row], DeadLetterReason.Transform, "id", "every", "dead by rule");
                }
                else if (options.FilterEven && id % 2 == 0)
                {
                    context.RecordsFiltered(1);
                }
                else
                {
                    keep.Add(row);
                }
            }
            for (int row = 0; row < batch.Length; row++)
            {
                if (options.Poison(ids.GetValue(row)!.Value))
                {
                    throw new InvalidOperationException("poison");
                }
            }
            return ArrayTake.Take(batch, keep.ToArray());
        }
    }
}
