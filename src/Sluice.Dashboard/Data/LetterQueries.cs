using Microsoft.Data.Sqlite;
using Sluice.State.Sqlite;

namespace Sluice.Dashboard.Data;

/// <summary>Dead-letter pages, newest first, keyset on id: the next page is the letters below the last id shown,
/// so a page of a million-letter queue reads about as many rows as it shows.</summary>
internal static class LetterQueries
{
    /// <summary>Counts stop here: counting a million letters on every page view would cost more than the page.</summary>
    public const int CountCap = 10_000;

    /// <summary>And a count that would read too many rows to get there (a filter no index answers) stops after this.</summary>
    public static readonly TimeSpan CountBudget = TimeSpan.FromMilliseconds(100);

    private const int SqliteInterrupt = 9;

    /// <param name="Matching">How many match, up to <see cref="CountCap"/>; null when counting took too long.</param>
    public sealed record Page(IReadOnlyList<StoredDeadLetter> Letters, long? Next, long? Matching, bool MatchingCapped);

    public static async Task<Page> ListAsync(SqliteStateStore store, DeadLetterQuery query, long? before, int limit,
        CancellationToken cancellationToken)
    {
        var page = query with { ThroughId = before is { } b ? b - 1 : null, Limit = limit + 1, OldestFirst = false };
        // A list shows no original bytes, and one letter's can be megabytes: reading them made a page of 50 letters (or
        // an API page of 1,000) cost their whole size in memory. The letter's own page reads them.
        var letters = await store.ListDeadLettersAsync(page, withOriginals: false, cancellationToken);
        var (matching, capped) = await CountAsync(store, query, cancellationToken, CountBudget);
        long? next = letters.Count > limit ? letters[limit - 1].Id : null;
        return new Page(letters.Take(limit).ToList(), next, matching, capped);
    }

    /// <summary>How many letters match, up to <see cref="CountCap"/> (capped is true when there are more); null when
    /// <paramref name="budget"/> ran out first.</summary>
    public static async Task<(long? Count, bool Capped)> CountAsync(SqliteStateStore store, DeadLetterQuery query, CancellationToken cancellationToken,
        TimeSpan? budget = null)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM dead_letters{SqliteStateStore.Where(command, query)} LIMIT {CountCap + 1})";
        using var timer = new CancellationTokenSource();
        // Microsoft.Data.Sqlite does not interrupt a running statement on cancellation; SQLite's own interrupt does.
        // The connection is this count's alone, so nothing else on it can be interrupted by mistake.
        await using var interrupt = timer.Token.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
        if (budget is { } b)
            timer.CancelAfter(b);
        try
        {
            long count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            return count > CountCap ? (CountCap, true) : (count, false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteInterrupt && timer.IsCancellationRequested)
        {
            return (null, false);
        }
    }

    /// <summary>The pipelines the letters with these ids belong to (a replay goes through one pipeline's file).</summary>
    public static async Task<IReadOnlyList<string>> PipelinesOfAsync(SqliteStateStore store, DeadLetterQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT pipeline FROM (SELECT pipeline FROM dead_letters{SqliteStateStore.Where(command, query)} LIMIT {DeadLetterQuery.MaxIds})";
        return await SqliteStateStore.ReadAllAsync(command, row => row.GetString(0), cancellationToken);
    }

    /// <summary>The newest letter id now: a selection of "all matching" is pinned to it, so letters that arrive
    /// between the confirmation and the POST are not replayed or purged unseen.</summary>
    public static async Task<long> NewestIdAsync(SqliteStateStore store, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM dead_letters";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
