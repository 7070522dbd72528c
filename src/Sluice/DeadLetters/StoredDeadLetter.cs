using Sluice.DeadLetters;
namespace Sluice;

/// <summary>A dead letter as kept in the state store.</summary>
public sealed record StoredDeadLetter(
    long Id,
    string RunId,
    string Pipeline,
    string Stage,
    string Input,
    string Position,
    DeadLetterReason Reason,
    string? Field,
    string? Rule,
    string Message,
    byte[] Original,
    DateTimeOffset CreatedAt)
{
    /// <inheritdoc cref="State.DeadLetter.Attempts"/>
    public int Attempts { get; init; } = 1;
}
