using Microsoft.Data.Sqlite;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Alerts;

/// <summary>
/// The facts alerts are judged on and the misses recorded, in the SQLite state file (table <c>alerts</c>, migration 12).
/// A miss is recorded once: its key is unique, so a second server, or a restarted one, finds it there. A request to the
/// webhook is made by whoever claims it: the claim is one conditional update, so two servers never send one miss
/// together, and a claim expires, so a server killed while sending leaves the miss to the next one.
/// </summary>
internal sealed class AlertStore(SqliteStateStore store)
{
    private const string Columns =
        "id, subject_kind, subject, kind, alert_key, expected, due_at, observed_at, detected_at, detail, sent_at, attempts, last_error, next_attempt_at";

    /// <summary>A pipeline's newest checkpoint that committed records (counts are a run's running total, so one
    /// that adds nothing to the checkpoint before it commits none); a flow's newest succeeded run's end.</summary>
    public Task<DateTimeOffset?> NewestDataAsync(AlertSubjectKind kind, string subject, CancellationToken cancellationToken) =>
        ScalarTimeAsync(kind == AlertSubjectKind.Flow
            ? "SELECT max(ended_at) FROM runs WHERE pipeline = $subject AND kind = 'flow' AND state = 'succeeded'"
            : """
              SELECT max(created_at) FROM (
                  SELECT c.created_at, c.records_committed - coalesce(lag(c.records_committed) OVER (PARTITION BY c.run_id ORDER BY c.id), 0) AS added
                  FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE r.pipeline = $subject AND r.kind <> 'flow')
              WHERE added > 0
              """, cancellationToken, ("$subject", subject));

    /// <summary>When the subject's first run started; null when it never ran.</summary>
    public Task<DateTimeOffset?> FirstRunAsync(AlertSubjectKind kind, string subject, CancellationToken cancellationToken) =>
        ScalarTimeAsync("SELECT min(started_at) FROM runs WHERE pipeline = $subject AND kind = $kind", cancellationToken,
            ("$subject", subject), ("$kind", RunKind(kind)));

    /// <summary>The end of the subject's newest successful run that ended at or before <paramref name="atOrBefore"/>.</summary>
    public Task<DateTimeOffset?> LastSuccessAsync(AlertSubjectKind kind, string subject, DateTimeOffset atOrBefore, CancellationToken cancellationToken) =>
        ScalarTimeAsync("SELECT max(ended_at) FROM runs WHERE pipeline = $subject AND kind = $kind AND state = 'succeeded' AND ended_at <= $at",
            cancellationToken, ("$subject", subject), ("$kind", RunKind(kind)), ("$at", SqliteValues.Timestamp(atOrBefore)));

    private static string RunKind(AlertSubjectKind kind) => kind == AlertSubjectKind.Flow ? RunKinds.Flow : RunKinds.Pipeline;

    /// <summary>Records the miss unless its key is recorded already; the record either way, and whether it is new.
    /// With <paramref name="send"/>, its first request is due at once; without (no webhook), none ever is.</summary>
    public Task<(AlertRecord Alert, bool New)> RecordAsync(AlertMiss miss, bool send, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = Command(connection, transaction, $"""
                INSERT INTO alerts (subject_kind, subject, kind, alert_key, expected, due_at, observed_at, detected_at, detail, next_attempt_at)
                VALUES ($subject_kind, $subject, $kind, $key, $expected, $due, $observed, $now, $detail, $next)
                ON CONFLICT (alert_key) DO NOTHING
                """, ("$subject_kind", AlertRules.Code(miss.SubjectKind)), ("$subject", miss.Subject), ("$kind", AlertRules.Code(miss.Kind)),
                ("$key", miss.Key), ("$expected", miss.Expected), ("$due", SqliteValues.Timestamp(miss.DueAt)),
                ("$observed", miss.ObservedAt is { } o ? SqliteValues.Timestamp(o) : null), ("$now", SqliteValues.Timestamp(now)),
                ("$detail", miss.Detail), ("$next", send ? SqliteValues.Timestamp(now) : null));
            bool inserted = await insert.ExecuteNonQueryAsync(cancellationToken) > 0;
            await using var read = Command(connection, transaction, $"SELECT {Columns} FROM alerts WHERE alert_key = $key", ("$key", miss.Key));
            return ((await SqliteStateStore.ReadAllAsync(read, Read, cancellationToken))[0], inserted);
        }, cancellationToken);

    /// <summary>Misses with a request to make, and until when another server's claim on each holds (null: none).</summary>
    public async Task<List<(AlertRecord Alert, DateTimeOffset? ClaimedUntil)>> UnsentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {Columns}, claimed_until FROM alerts WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL ORDER BY id");
        return await SqliteStateStore.ReadAllAsync(command, row => (Read(row), Time(row, 14)), cancellationToken);
    }

    /// <summary>Takes the right to make the next request for the miss, until <paramref name="until"/>: false when it
    /// was sent, is not due yet, or another server holds it. Counts the attempt.</summary>
    public Task<bool> ClaimAsync(long id, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE alerts SET attempts = attempts + 1, claimed_until = $until
            WHERE id = $id AND sent_at IS NULL AND next_attempt_at <= $now AND (claimed_until IS NULL OR claimed_until <= $now)
            """, cancellationToken, ("$id", id), ("$now", SqliteValues.Timestamp(now)), ("$until", SqliteValues.Timestamp(until)));

    public Task<bool> MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE alerts SET sent_at = $now, last_error = NULL, next_attempt_at = NULL, claimed_until = NULL WHERE id = $id",
            cancellationToken, ("$id", id), ("$now", SqliteValues.Timestamp(now)));

    /// <summary>Records a failed request, or (with no error) gives back a claim whose request was interrupted.</summary>
    public Task<bool> MarkFailedAsync(long id, string? error, DateTimeOffset next, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE alerts SET last_error = coalesce($error, last_error), next_attempt_at = $next, claimed_until = NULL WHERE id = $id",
            cancellationToken, ("$id", id), ("$error", error), ("$next", SqliteValues.Timestamp(next)));

    public async Task<IReadOnlyList<AlertRecord>> ListAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {Columns} FROM alerts
            WHERE ($subject IS NULL OR subject = $subject) AND ($subject_kind IS NULL OR subject_kind = $subject_kind) AND ($before IS NULL OR id < $before)
            ORDER BY id DESC LIMIT $limit
            """, ("$subject", query.Subject), ("$subject_kind", query.SubjectKind is { } k ? AlertRules.Code(k) : null),
            ("$before", query.BeforeId), ("$limit", query.Limit));
        return await SqliteStateStore.ReadAllAsync(command, Read, cancellationToken);
    }

    private static AlertRecord Read(SqliteDataReader row) => new(
        row.GetInt64(0), row.GetString(1) == "flow" ? AlertSubjectKind.Flow : AlertSubjectKind.Pipeline, row.GetString(2),
        row.GetString(3) == "sla" ? AlertKind.Sla : AlertKind.Freshness, row.GetString(4), row.GetString(5),
        SqliteValues.ParseTimestamp(row.GetString(6)), Time(row, 7), SqliteValues.ParseTimestamp(row.GetString(8)), row.GetString(9),
        Time(row, 10), row.GetInt32(11), row.IsDBNull(12) ? null : row.GetString(12), Time(row, 13));

    private static DateTimeOffset? Time(SqliteDataReader row, int i) => row.IsDBNull(i) ? null : SqliteValues.ParseTimestamp(row.GetString(i));

    private async Task<DateTimeOffset?> ScalarTimeAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken) is string text ? SqliteValues.ParseTimestamp(text) : null;
    }

    private Task<bool> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
