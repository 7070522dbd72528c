using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Sluice.Pipelines;

namespace Sluice.Execution;

/// <summary>
/// A stage's <see cref="ResiliencePolicy"/> as a Polly pipeline: retry (outermost, exponential backoff with jitter,
/// on the failures <see cref="RetryPolicy.On"/> names and on an open circuit), then the circuit breaker, then the per-try timeout. Every retry,
/// timeout, opening and closing of the circuit is counted on the stage's <see cref="StageCounters"/>.
/// </summary>
internal static class StageResilience
{
    public static ResiliencePipeline Build(ResiliencePolicy policy, StageCounters counters)
    {
        var builder = new ResiliencePipelineBuilder();
        if (policy.Retry.Attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.Retry.Attempts - 1,
                Delay = policy.Retry.Delay,
                MaxDelay = policy.Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = policy.Retry.Jitter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && Retryable(e, policy.Retry.On)),
                OnRetry = _ =>
                {
                    counters.AddRetry();
                    return ValueTask.CompletedTask;
                },
            });
        }
        if (policy.CircuitBreaker is { } breaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                SamplingDuration = breaker.Sampling,
                MinimumThroughput = breaker.MinimumThroughput,
                BreakDuration = breaker.Break,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && policy.Retry.On.Matches(e)),
                OnOpened = _ =>
                {
                    counters.SetCircuitOpen(true);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    counters.SetCircuitOpen(false);
                    return ValueTask.CompletedTask;
                },
            });
        }
        if (policy.Timeout is { } timeout)
        {
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = timeout,
                OnTimeout = _ =>
                {
                    counters.AddTimeout();
                    return ValueTask.CompletedTask;
                },
            });
        }
        return builder.Build();
    }

    /// <summary>Worth another try: a failure the policy retries (a try that timed out is a timeout), or a circuit
    /// that is open for now.</summary>
    private static bool Retryable(Exception error, RetryOn on) =>
        error is BrokenCircuitException || (error is TimeoutRejectedException ? on.Timeouts : on.Matches(error));
}
