using System.Diagnostics;

namespace Sluice.Connectors.Http;

/// <summary>
/// Spaces requests so that no more than <c>perSecond</c> start in any second on average: each request waits for the
/// slot <c>1 / perSecond</c> after the previous one's. Safe to share between concurrent senders.
/// </summary>
internal sealed class RequestPacer(double perSecond)
{
    private readonly long _interval = (long)(Stopwatch.Frequency / perSecond);
    private long _next = Stopwatch.GetTimestamp();

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        long now = Stopwatch.GetTimestamp();
        long slot;
        long taken;
        do
        {
            taken = Volatile.Read(ref _next);
            slot = Math.Max(taken, now);
        }
        while (Interlocked.CompareExchange(ref _next, slot + _interval, taken) != taken);
        long wait = slot - now;
        return wait <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
    }
}
