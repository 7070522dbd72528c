using System.Globalization;

namespace Sluice.State;

/// <summary>Another live process holds the pipeline's lease: this run must not start.</summary>
public sealed class LeaseHeldException(string pipeline, string holder, DateTimeOffset expiresAt) : Exception(
    string.Create(CultureInfo.InvariantCulture,
        $"pipeline '{pipeline}' is already being run by {holder} (its lease runs until {expiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); wait for that run to finish or stop it; if that process is gone, its lease expires on its own at that time"))
{
    public string Pipeline { get; } = pipeline;

    public string Holder { get; } = holder;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;
}
