using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;

namespace Sluice.State.Sqlite;

/// <summary>The column lists the store selects and how a row of each becomes a record. Each Read method reads
/// the columns in the order of its column list.</summary>
internal static class SqliteRows
{
    public const string RunColumns =
        "id, pipeline, kind, parent_run_id, state, started_at, ended_at, records_read, records_written, filtered, dead_lettered, error, " +
        // What the run published is what its last committed checkpoint had committed (counts go on across resumes).
        "(SELECT records_committed FROM checkpoints c WHERE c.run_id = runs.id ORDER BY c.id DESC LIMIT 1)";

    public const string DeadLetterColumns =
        "id, run_id, pipeline, stage, input, position, reason, field, rule, message, original, created_at, attempts";

    public static RunRecord ReadRun(SqliteDataReader row) => new(
        Id: row.GetString(0),
        Pipeline: row.GetString(1),
        Kind: row.GetString(2),
        ParentRunId: NullableString(row, 3),
        State: SqliteValues.ParseRunState(row.GetString(4)),
        StartedAt: SqliteValues.ParseTimestamp(row.GetString(5)),
        EndedAt: row.IsDBNull(6) ? null : SqliteValues.ParseTimestamp(row.GetString(6)),
        RecordsRead: row.GetInt64(7),
        RecordsWritten: row.GetInt64(8),
        Filtered: row.GetInt64(9),
        DeadLettered: row.GetInt64(10),
        Error: NullableString(row, 11))
    {
        RecordsPublished = row.IsDBNull(12) ? 0 : row.GetInt64(12),
    };

    public static StoredDeadLetter ReadDeadLetter(SqliteDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetString(1),
        Pipeline: row.GetString(2),
        Stage: row.GetString(3),
        Input: row.GetString(4),
        Position: row.GetString(5),
        Reason: SqliteValues.ParseReason(row.GetString(6)),
        Field: NullableString(row, 7),
        Rule: NullableString(row, 8),
        Message: row.GetString(9),
        Original: row.IsDBNull(10) ? [] : row.GetFieldValue<byte[]>(10),
        CreatedAt: SqliteValues.ParseTimestamp(row.GetString(11)))
    {
        Attempts = row.GetInt32(12),
    };

    private static string? NullableString(SqliteDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
