using Sluice.State;
namespace Sluice;

/// <summary>
/// The lease this process used is no longer current: it expired, or another process took it over (a newer epoch).
/// Nothing was written. The process must stop working on the pipeline; it must not retry with the same lease.
/// </summary>
public sealed class LeaseLostException(Lease lease, string reason)
    : Exception($"lost the lease on pipeline '{lease.Pipeline}' (holder {lease.Holder}, epoch {lease.Epoch}): {reason}; "
        + "this run stops without committing, another run owns the pipeline now or may resume it")
{
    public Lease Lease { get; } = lease;
}
