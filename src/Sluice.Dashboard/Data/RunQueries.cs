using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Dashboard.Data;

/// <summary>The runs list as keyset pages on (started_at, id), newest first: a page costs the same on the
/// 100,000th run as on the first (no OFFSET), and every filter has an index ending in started_at, id.</summary>
internal static class RunQueries
{
    /// <summary>A run as listed, with what its sources have read so far while it runs (the runs table has its
    /// totals only once it ends).</summary>
    public sealed record Listed(RunRecord Run, long LiveRead);

    public sealed record Page(IReadOnlyList<Listed> Runs, string? Next);

    // Stored state codes by the words users read and type (RunStateWords), so a filter takes either.
    public static readonly IReadOnlyList<RunState> States = Enum.GetValues<RunState>();

    public static readonly IReadOnlyList<string> Kinds = [RunKinds.Pipeline, RunKinds.Replay, RunKinds.Flow];

    public static async Task<Page> ListAsync(SqliteStateStore store, RunFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var conditions = new List<string>();
        void Add(string condition, string name, object value)
        {
            conditions.Add(condition);
            command.Parameters.AddWithValue(name, value);
        }
        if (filter.Pipeline is { } pipeline)
            Add("pipeline = $pipeline", "$pipeline", pipeline);
        if (filter.State is { } state)
            Add("state = $state", "$state", SqliteValues.Code(ParseState(state)));
        if (filter.Kind is { } kind)
            Add("kind = $kind", "$kind", kind);
        // Prefix ranges rather than LIKE: the user's text needs no escaping. The unary + keeps SQLite off the id and
        // pipeline indexes: through them it gathered every match (a third of 100,000 runs for a common pipeline) and
        // sorted them, 600 ms; walking the start-time index instead stops at the page's last match (docs/benchmarks.md).
        if (filter.Search is { } search)
            Add("((+id >= $q AND +id < $q || char(1114111)) OR (+pipeline >= $q AND +pipeline < $q || char(1114111)))", "$q", search);
        if (filter.Before is { } before)
            Add("(started_at, id) < ((SELECT started_at FROM runs WHERE id = $before), $before)", "$before", before);
        command.CommandText = $"""
            SELECT {SqliteRows.RunColumns},
                CASE WHEN state = 'running' THEN
                    (SELECT coalesce(sum(s.records_out), 0) FROM run_stages s WHERE s.run_id = runs.id AND s.kind = 'source') END
            FROM runs {(conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions))}
            ORDER BY started_at DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", filter.Limit + 1);
        var rows = await SqliteStateStore.ReadAllAsync(command, row =>
            new Listed(SqliteRows.ReadRun(row), row.IsDBNull(13) ? 0 : row.GetInt64(13)), cancellationToken);
        string? next = rows.Count > filter.Limit ? rows[filter.Limit - 1].Run.Id : null;
        return new Page(rows.Take(filter.Limit).ToList(), next);
    }

    /// <summary>A state as users write it (<c>failed</c>, <c>quality-gate-failed</c>).</summary>
    /// <exception cref="FormatException">No such state.</exception>
    public static RunState ParseState(string word) =>
        States.Where(s => s.Word() == word).Select(s => (RunState?)s).FirstOrDefault()
            ?? throw new FormatException($"unknown run state '{word}'; states: {string.Join(", ", States.Select(s => s.Word()))}");

    /// <summary>The last <paramref name="count"/> runs of a pipeline or flow (replays left out: a replay of ten
    /// letters says nothing about the pipeline's speed), oldest first, for the charts.</summary>
    public static async Task<IReadOnlyList<RunRecord>> RecentAsync(SqliteStateStore store, string pipeline, int count, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SqliteRows.RunColumns} FROM runs WHERE pipeline = $pipeline AND kind <> 'replay'
            ORDER BY started_at DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$limit", count);
        var runs = await SqliteStateStore.ReadAllAsync(command, SqliteRows.ReadRun, cancellationToken);
        runs.Reverse();
        return runs;
    }

    /// <summary>Every pipeline and flow name with runs, from the pipeline index alone (no table row is read).</summary>
    public static async Task<IReadOnlyList<string>> PipelinesAsync(SqliteStateStore store, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT pipeline FROM runs ORDER BY pipeline";
        return await SqliteStateStore.ReadAllAsync(command, row => row.GetString(0), cancellationToken);
    }

    /// <summary>Up to <paramref name="max"/> of the run's checkpoints, spread evenly over the run, with the records
    /// its sources had read by each: the points of the records/s chart.</summary>
    public static async Task<IReadOnlyList<(DateTimeOffset At, long Read)>> ProgressAsync(SqliteStateStore store, string runId, int max,
        CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT created_at, counts FROM checkpoints
            WHERE run_id = $run AND (id % max(1, (SELECT count(*) FROM checkpoints WHERE run_id = $run) / $max) = 0
                OR id = (SELECT max(id) FROM checkpoints WHERE run_id = $run))
            ORDER BY id
            """;
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$max", max);
        return await SqliteStateStore.ReadAllAsync(command, row => (
            SqliteValues.ParseTimestamp(row.GetString(0)),
            CheckpointJson.ReadCounts(row.GetString(1)).Where(c => c.Kind == StageKind.Source).Sum(c => c.Out)), cancellationToken);
    }
}
