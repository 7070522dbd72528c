using Sluice.Tests.TestSupport;
using System.Collections.Concurrent;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Testing;

namespace Sluice.Tests.TypedPipelines;

/// <summary><c>SelectAsync</c>: calls in flight, order, and the resilience policy applied per call.</summary>
public sealed class SelectAsyncTests
{
    public sealed record Customer(long Id);

    public sealed record Enriched(long Id, string Segment);

    private static readonly Customer[] Customers = Enumerable.Range(1, 40).Select(i => new Customer(i)).ToArray();

    private static readonly ResiliencePolicy FastRetries = new() { Retry = new RetryPolicy { Attempts = 3, Delay = TimeSpan.FromMilliseconds(1), Jitter = false } };

    /// <summary>A service that fails the first <paramref name="failures"/> calls for each id, with a network error.</summary>
    private sealed class FlakyService(int failures)
    {
        private readonly ConcurrentDictionary<long, int> _calls = new();
        private int _inFlight;

        public int MostInFlight;

        public async Task<Enriched?> LookUpAsync(Customer customer, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref MostInFlight, now);
            try
            {
                await Task.Delay(Random.Shared.Next(1, 5), cancellationToken); // so calls finish out of order
                if (_calls.AddOrUpdate(customer.Id, 1, (_, n) => n + 1) <= failures)
                {
                    throw new HttpRequestException("connection reset");
                }
                return customer.Id == 7 ? null : new Enriched(customer.Id, customer.Id % 2 == 0 ? "even" : "odd");
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public async Task Transient_failures_are_retried_per_call_and_output_keeps_the_input_order()
    {
        var service = new FlakyService(failures: 2);
        var output = Memory.Collect<Enriched>();
        var pipeline = Pipeline.Create("enrich").From(Memory.Records(Customers))
            .SelectAsync(service.LookUpAsync, concurrency: 4, resilience: FastRetries)
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(Customers.Where(c => c.Id != 7).Select(c => c.Id), output.Items.Select(e => e.Id));
        Assert.Empty(result.DeadLetters);
        Assert.Equal((40, 39, 1), (result.RecordsRead, result.RecordsWritten, result.Filtered));
        Assert.InRange(service.MostInFlight, 2, 4);
        // Two failed tries per call, each retried: the stage's summary shows them.
        Assert.Equal(80, Assert.Single(result.Outcome.Stages, s => s.Kind == StageKind.Transform).Retries);
    }

    [Fact]
    public async Task A_call_that_still_fails_after_its_retries_dead_letters_its_record()
    {
        var service = new FlakyService(failures: 3); // one more than the three tries
        var output = Memory.Collect<Enriched>();
        var pipeline = Pipeline.Create("enrich").From(Memory.Records(Customers.Take(5)))
            .SelectAsync(service.LookUpAsync, concurrency: 2, resilience: FastRetries)
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.True(result.Succeeded, result.Error);
        Assert.Empty(output.Items);
        Assert.Equal([1L, 2, 3, 4, 5], result.DeadLetters.Select(l => l.Line));
        Assert.All(result.DeadLetters, l => Assert.Equal((DeadLetterReason.Transform, "exception", "HttpRequestException: connection reset"),
            (l.Reason, l.Rule, l.Message)));
    }

    [Fact]
    public async Task A_call_over_its_timeout_is_cancelled_and_dead_lettered_while_the_others_go_on()
    {
        var output = Memory.Collect<Enriched>();
        var pipeline = Pipeline.Create("slow").From(Memory.Records(Customers.Take(4)))
            .SelectAsync(async (c, cancellationToken) =>
            {
                await Task.Delay(c.Id == 2 ? TimeSpan.FromMinutes(5) : TimeSpan.Zero, cancellationToken);
                return new Enriched(c.Id, "x");
            }, concurrency: 4, resilience: FastRetries with { Timeout = TimeSpan.FromMilliseconds(50), Retry = new RetryPolicy { Attempts = 1 } })
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.Equal([1L, 3, 4], output.Items.Select(e => e.Id));
        var letter = Assert.Single(result.DeadLetters);
        Assert.Equal(2, letter.Line);
        Assert.StartsWith("TimeoutRejectedException:", letter.Message);
        Assert.Equal(1, Assert.Single(result.Outcome.Stages, s => s.Kind == StageKind.Transform).Timeouts);
    }
}
