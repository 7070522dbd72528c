using Sluice.Pipelines;
namespace Sluice;

/// <summary>
/// How a stage rides out transient failures (I/O, timeouts, networks; which ones: <see cref="RetryPolicy.On"/>) of its per-batch
/// work: a transform's apply, and a sink's write when the sink says a write may be retried. Permanent failures are
/// not retried: a record that makes a transform throw is dead-lettered, anything else fails the run (the next run
/// resumes from the last checkpoint).
/// </summary>
public sealed record ResiliencePolicy
{
    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Longest one try may take; null for none (the default: file I/O cannot be interrupted anyway).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Stops trying for a while when most tries fail; null for none (the default).</summary>
    public CircuitBreakerPolicy? CircuitBreaker { get; init; }

    /// <summary>Records the stage handles per second at most (a rate limit, e.g. to spare an API); null for none
    /// (the default). The stage waits before a batch that would go over it, so its upstream backs up.</summary>
    public double? RecordsPerSecond { get; init; }

    /// <summary>Batches a transform stage applies at the same time (a bulkhead), 1 to 64; its output keeps the input
    /// order and a checkpoint barrier waits for every batch in flight. The default value is 1. Only for stateless
    /// transforms: the pipeline's policy applies it to those alone, and a stage's own policy may not set it on a
    /// source, a sink or a stateful transform (e.g. <c>dedupe</c>, whose state depends on its input's order).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>The most <see cref="Concurrency"/> may be: every batch in flight holds its input and output in memory.</summary>
    public const int MaxConcurrency = 64;
}

/// <summary>Exponential backoff with jitter between tries of one batch.</summary>
public sealed record RetryPolicy
{
    /// <summary>Tries in all, the first included; 1 turns retrying off. The default value is 3.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Wait before the first retry; each next one doubles it. The default value is 200 ms.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two tries. The default value is 10 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Randomise the waits, so that many runs failing together do not retry in step. On by default.</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>Which failures are tried again (and count for the circuit breaker). The default is
    /// <see cref="RetryOn.Default"/>: I/O errors, timeouts, network errors, HTTP 408, 429 and 5xx.</summary>
    public RetryOn On { get; init; } = RetryOn.Default;
}

/// <summary>Opens when most tries fail: tries then fail at once (and the stage waits on its retries, so its
/// upstream backs up) until, after <see cref="Break"/>, one trial try is let through.</summary>
public sealed record CircuitBreakerPolicy
{
    /// <summary>Share of failed tries within <see cref="Sampling"/> that opens the circuit. The default value is 0.5.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>The window the ratio is measured over. The default value is 30 s.</summary>
    public TimeSpan Sampling { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries the window needs before the ratio counts. The default value is 10.</summary>
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>How long the circuit stays open. The default value is 15 s.</summary>
    public TimeSpan Break { get; init; } = TimeSpan.FromSeconds(15);
}
