using Sluice.DeadLetters;

namespace Sluice.State;

/// <summary>Filters for listing dead letters; null means any. Newest first.</summary>
public sealed record DeadLetterQuery(
    string? Pipeline = null,
    string? RunId = null,
    DeadLetterReason? Reason = null,
    string? Stage = null,
    int Limit = 100);
