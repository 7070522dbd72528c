using System.Diagnostics;

namespace Sluice.Execution;

/// <summary>
/// A rate limit: spaces units of work (requests, records) so that no more than <c>perSecond</c> start per second on
/// average. Each caller reserves the time its units take after the previous reservation and waits until its slot.
/// Safe to share between concurrent callers.
/// </summary>
internal sealed class RatePacer(double perSecond)
{
    private readonly double _ticksPerUnit = Stopwatch.Frequency / perSecond;
    private long _next = Stopwatch.GetTimestamp();

    /// <summary>Waits for the slot of <paramref name="units"/> units of work.</summary>
    public Task WaitAsync(int units, CancellationToken cancellationToken)
    {
        long now = Stopwatch.GetTimestamp();
        long slot;
        long taken;
        do
        {
            taken = Volatile.Read(ref _next);
            slot = Math.Max(taken, now);
        }
        while (Interlocked.CompareExchange(ref _next, slot + (long)(units * _ticksPerUnit), taken) != taken);
        long wait = slot - now;
        return wait <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
    }
}
