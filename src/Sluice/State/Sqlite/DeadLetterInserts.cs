using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;
using SQLitePCL;

namespace Sluice.State.Sqlite;

/// <summary>
/// Inserts dead letters through SQLite's own statement API rather than through <see cref="SqliteCommand"/>: a
/// command re-binds every parameter by name on every execution, which made storing a dead letter cost more than
/// producing it (5 % bad rows doubled a 3M-row job's CPU). Here the statement is prepared once per chunk, the
/// values that are the same for every letter are bound once (SQLite keeps bindings across resets), and the rest
/// are bound by position, the original bytes straight from their span.
/// </summary>
internal static class DeadLetterInserts
{
    private const string Sql = """
        INSERT INTO dead_letters (run_id, pipeline, created_at, stage, input, position, reason, field, rule, message, original, attempts)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        """;

    /// <summary>Runs inside the caller's open transaction on <paramref name="db"/>.</summary>
    public static void Insert(sqlite3 db, string runId, string pipeline, string createdAt, IReadOnlyList<DeadLetter> letters,
        CancellationToken cancellationToken)
    {
        Check(db, raw.sqlite3_prepare_v2(db, Sql, out sqlite3_stmt statement));
        using (statement)
        {
            Check(db, raw.sqlite3_bind_text(statement, 1, runId));
            Check(db, raw.sqlite3_bind_text(statement, 2, pipeline));
            Check(db, raw.sqlite3_bind_text(statement, 3, createdAt));
            foreach (var letter in letters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Check(db, raw.sqlite3_bind_text(statement, 4, letter.Stage));
                Check(db, raw.sqlite3_bind_text(statement, 5, letter.Origin.Input));
                Check(db, raw.sqlite3_bind_text(statement, 6, letter.Origin.Position));
                Check(db, raw.sqlite3_bind_text(statement, 7, letter.Reason.Code()));
                Check(db, letter.Field is null ? raw.sqlite3_bind_null(statement, 8) : raw.sqlite3_bind_text(statement, 8, letter.Field));
                Check(db, letter.Rule is null ? raw.sqlite3_bind_null(statement, 9) : raw.sqlite3_bind_text(statement, 9, letter.Rule));
                Check(db, raw.sqlite3_bind_text(statement, 10, letter.Message));
                Check(db, raw.sqlite3_bind_blob(statement, 11, letter.Origin.Original.Span));
                Check(db, raw.sqlite3_bind_int(statement, 12, letter.Attempts));
                int step = raw.sqlite3_step(statement);
                if (step != raw.SQLITE_DONE)
                {
                    Check(db, step);
                }
                Check(db, raw.sqlite3_reset(statement));
            }
        }
    }

    private static void Check(sqlite3 db, int rc) => SqliteException.ThrowExceptionForRC(rc, db);
}
