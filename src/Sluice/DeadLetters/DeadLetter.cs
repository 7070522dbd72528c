using Sluice.Records;

namespace Sluice.State;

/// <summary>A record that did not make it, with everything needed to understand and replay it.</summary>
/// <param name="Stage">Name of the stage that rejected it.</param>
/// <param name="Origin">Source file, line, byte offset and original bytes.</param>
/// <param name="Field">The field concerned, when there is one.</param>
/// <param name="Rule">The contract rule or check that failed (e.g. <c>min</c>, <c>pattern</c>, <c>field_count</c>).</param>
public sealed record DeadLetter(
    string Stage,
    RowOrigin Origin,
    DeadLetterReason Reason,
    string? Field,
    string? Rule,
    string Message)
{
    /// <summary>How many times the record has failed: 1 when first dead-lettered, one more for every replay
    /// (<c>sluice dlq replay</c>) it failed again.</summary>
    public int Attempts => Origin.Failures + 1;
}
