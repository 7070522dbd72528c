namespace Sluice.CrashHarness;

/// <summary>What a correct run over a <see cref="DataSet"/> produces: the output multiset (as a row count, an
/// order-independent checksum and the ids it holds), the dead letters (file name and line), and the totals line;
/// and what a replay of its dead letters with the fixed contract adds (<see cref="AfterReplay"/>).</summary>
internal sealed class Expected
{
    public required long MaxId { get; init; }
    public required HashSet<long> OutputIds { get; init; }
    public required ulong Checksum { get; init; }
    public required IReadOnlySet<(string File, long Line)> DeadLetters { get; init; }
    public required long In { get; init; }
    public required long Filtered { get; init; }

    /// <summary>The dead letters the csv source made (a wrong field count): no contract fixes them, so they stay.</summary>
    public required IReadOnlySet<(string File, long Line)> UnparsableLetters { get; init; }

    /// <summary>The contract's dead letters as the fixed pipeline writes them; the rest of them it filters.</summary>
    public required IReadOnlyList<ReplayedRow> ReplayedRows { get; init; }

    public required long ReplayFiltered { get; init; }

    public long Out => OutputIds.Count;
    public long Dead => DeadLetters.Count;

    /// <summary>The contract's dead letters: each is written or filtered by the replays exactly once.</summary>
    public long ContractLetters => ReplayedRows.Count + ReplayFiltered;

    /// <summary>The output and dead letters after the replay: every good row and every replayed row once, and only
    /// the source's letters left. Its <see cref="In"/> and <see cref="Filtered"/> are the pipeline run's; replay
    /// runs' totals are checked on their own (<see cref="Verifier.CheckReplayTotals"/>).</summary>
    public Expected AfterReplay() => new()
    {
        MaxId = MaxId,
        OutputIds = [.. OutputIds, .. ReplayedRows.Select(r => r.Id)],
        Checksum = ReplayedRows.Aggregate(Checksum, (sum, r) => sum + r.Hash()),
        DeadLetters = UnparsableLetters,
        In = In,
        Filtered = Filtered,
        UnparsableLetters = UnparsableLetters,
        ReplayedRows = [],
        ReplayFiltered = 0,
    };
}
