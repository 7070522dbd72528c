namespace Sluice.CrashHarness;

/// <summary>What a correct run over a <see cref="DataSet"/> produces: the output multiset (as a row count, an
/// order-independent checksum and the ids it holds), the dead letters (file name and line), and the totals line.</summary>
internal sealed class Expected
{
    public required long MaxId { get; init; }
    public required HashSet<long> OutputIds { get; init; }
    public required ulong Checksum { get; init; }
    public required IReadOnlySet<(string File, long Line)> DeadLetters { get; init; }
    public required long In { get; init; }
    public required long Filtered { get; init; }
    public long Out => OutputIds.Count;
    public long Dead => DeadLetters.Count;
}
