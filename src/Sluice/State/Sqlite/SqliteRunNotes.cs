using Microsoft.Data.Sqlite;

namespace Sluice.State.Sqlite;

/// <summary>A run's notes (files skipped, files changed in place) in <c>run_notes</c>, in the order they were made.</summary>
internal static class SqliteRunNotes
{
    public static async Task ReplaceAsync(SqliteConnection connection, SqliteTransaction transaction, string runId,
        IReadOnlyList<RunNote> notes, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM run_notes WHERE run_id = $run";
        command.Parameters.AddWithValue("$run", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);

        command.CommandText = "INSERT INTO run_notes (run_id, ordinal, stage, warning, message) VALUES ($run, $ordinal, $stage, $warning, $message)";
        var ordinal = command.Parameters.Add("$ordinal", SqliteType.Integer);
        var stage = command.Parameters.Add("$stage", SqliteType.Text);
        var warning = command.Parameters.Add("$warning", SqliteType.Integer);
        var message = command.Parameters.Add("$message", SqliteType.Text);
        for (int i = 0; i < notes.Count; i++)
        {
            (ordinal.Value, stage.Value, warning.Value, message.Value) = (i, notes[i].Stage, notes[i].Warning ? 1 : 0, notes[i].Message);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public const string Select = "SELECT stage, warning, message FROM run_notes WHERE run_id = $run ORDER BY ordinal";

    public static RunNote Read(SqliteDataReader row) => new(row.GetString(0), row.GetInt64(1) != 0, row.GetString(2));
}
