using System.Globalization;
using Sluice.State;

namespace Sluice;

/// <summary>Another live process holds the pipeline's lease: this run must not start.</summary>
public sealed class LeaseHeldException(Lease held) : Exception(
    string.Create(CultureInfo.InvariantCulture,
        $"{Subject(held.Pipeline)} is already being run by {held.Holder} (its lease runs until {held.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); wait for that run to finish or stop it; if that process is gone, its lease expires on its own at that time"))
{
    /// <summary>The lease as stored: who holds it, at which epoch, until when.</summary>
    public Lease Held { get; } = held;

    public string Pipeline => Held.Pipeline;

    public string Holder => Held.Holder;

    public DateTimeOffset ExpiresAt => Held.ExpiresAt;

    /// <summary>What the lease is for, as people name it: a flow's lease is <c>flow:NAME</c> (or <c>flow:NAME[DAY]</c>).</summary>
    private static string Subject(string lease) =>
        lease.StartsWith("flow:", StringComparison.Ordinal) ? $"flow '{lease[5..]}'" : $"pipeline '{lease}'";
}
