using System.Globalization;
using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;

namespace Sluice.State.Sqlite;

/// <summary>
/// Checkpoint rows: a commit writes them inside the caller's immediate transaction; reads run inside one read
/// transaction so that a checkpoint and its files come from the same snapshot.
/// </summary>
internal static class SqliteCheckpoints
{
    /// <summary>Everything <see cref="IStateStore.CommitCheckpointAsync"/> promises, except durability (the
    /// caller's transaction settings) and atomicity (the caller's transaction).</summary>
    public static async Task CommitAsync(SqliteConnection connection, SqliteTransaction transaction, Lease lease,
        CheckpointRecord checkpoint, IReadOnlyList<DeadLetter> deadLetters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await SqliteLeases.EnsureCurrentAsync(connection, transaction, lease, now, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var run = command.Parameters.AddWithValue("$run", checkpoint.RunId);
        command.Parameters.AddWithValue("$checkpoint", checkpoint.Id);
        await CheckRunAsync(command, lease, checkpoint, cancellationToken);

        command.CommandText = """
            INSERT INTO checkpoints (run_id, id, created_at, duration_ms, records_committed, source_positions, sink_tokens, counts)
            VALUES ($run, $checkpoint, $created, $duration, $records, $positions, $tokens, $counts)
            """;
        command.Parameters.AddWithValue("$created", SqliteValues.Timestamp(checkpoint.CreatedAt));
        command.Parameters.AddWithValue("$duration", SqliteValues.Milliseconds(checkpoint.Duration));
        command.Parameters.AddWithValue("$records", checkpoint.RecordsCommitted);
        command.Parameters.AddWithValue("$positions", CheckpointJson.WriteMap(checkpoint.SourcePositions));
        command.Parameters.AddWithValue("$tokens", CheckpointJson.WriteMap(checkpoint.SinkTokens));
        command.Parameters.AddWithValue("$counts", CheckpointJson.WriteCounts(checkpoint.Counts));
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.Parameters.Clear();
        command.Parameters.Add(run);
        command.Parameters.AddWithValue("$checkpoint", checkpoint.Id);

        // Resuming reads only the latest checkpoint's operator state; keeping every copy (a dedupe key set every
        // few thousand records) would grow the file with the square of the run's length.
        command.CommandText = "DELETE FROM checkpoint_state WHERE run_id = $run";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "INSERT INTO checkpoint_state (run_id, checkpoint_id, stage, state) VALUES ($run, $checkpoint, $stage, $state)";
        var stage = command.Parameters.Add("$stage", SqliteType.Text);
        var state = command.Parameters.Add("$state", SqliteType.Blob);
        foreach (var (name, bytes) in checkpoint.OperatorState)
        {
            stage.Value = name;
            state.Value = bytes;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = "INSERT INTO committed_files (run_id, checkpoint_id, stage, path) VALUES ($run, $checkpoint, $stage, $path)";
        var path = command.Parameters.Add("$path", SqliteType.Text);
        foreach (var file in checkpoint.Files)
        {
            stage.Value = file.Stage;
            path.Value = file.Path;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // An input keeps only its newest mark (a file that grew or was read again supersedes its older record), so
        // a log file read on every run keeps one row.
        command.Parameters.AddWithValue("$pipeline", lease.Pipeline);
        var value = command.Parameters.Add("$value", SqliteType.Text);
        command.CommandText = """
            INSERT OR REPLACE INTO input_marks (pipeline, input, value, run_id, checkpoint_id)
            VALUES ($pipeline, $path, $value, $run, $checkpoint)
            """;
        foreach (var mark in checkpoint.InputMarks)
        {
            path.Value = mark.Input;
            value.Value = mark.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await DeleteReplayedAsync(command, lease.Pipeline, checkpoint, cancellationToken);
        if (deadLetters.Count > 0)
        {
            DeadLetterInserts.Insert(connection.Handle!, checkpoint.RunId, lease.Pipeline, SqliteValues.Timestamp(now), deadLetters, cancellationToken);
        }
        await SqliteStateStore.ReplaceStageCountsAsync(connection, transaction, checkpoint.RunId, checkpoint.Counts, cancellationToken);
    }

    /// <summary>Deletes the letters the checkpoint replayed, in one statement (a replay deletes tens of thousands per
    /// checkpoint). One that is gone was deleted by someone else while the replay ran (a purge): its record may now
    /// be written as well, so the checkpoint is refused rather than committed with a count that no longer adds up.</summary>
    private static async Task DeleteReplayedAsync(SqliteCommand command, string pipeline, CheckpointRecord checkpoint,
        CancellationToken cancellationToken)
    {
        if (checkpoint.ReplayedDeadLetters.Count == 0)
        {
            return;
        }
        command.Parameters.Clear();
        command.CommandText = "DELETE FROM dead_letters WHERE pipeline = $pipeline AND id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$ids", "[" + string.Join(',', checkpoint.ReplayedDeadLetters) + "]");
        int deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        int expected = checkpoint.ReplayedDeadLetters.Distinct().Count();
        if (deleted != expected)
        {
            throw new InvalidOperationException(
                $"cannot commit checkpoint {checkpoint.Id} of replay run {checkpoint.RunId}: {expected - deleted} of the {expected} dead letters of " +
                $"pipeline '{pipeline}' it replayed were deleted while they were being replayed (by sluice dlq purge?); nothing of the checkpoint was stored");
        }
    }

    /// <summary>The run must be this lease's pipeline's, still running, and the checkpoint the next in its sequence.</summary>
    private static async Task CheckRunAsync(SqliteCommand command, Lease lease, CheckpointRecord checkpoint, CancellationToken cancellationToken)
    {
        command.CommandText = """
            SELECT pipeline, state, (SELECT coalesce(max(id), 0) FROM checkpoints WHERE run_id = $run) FROM runs WHERE id = $run
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"cannot commit checkpoint {checkpoint.Id}: the state file has no run '{checkpoint.RunId}'");
        }
        string pipeline = reader.GetString(0);
        var state = SqliteValues.ParseRunState(reader.GetString(1));
        long last = reader.GetInt64(2);
        if (pipeline != lease.Pipeline)
        {
            throw new InvalidOperationException(
                $"cannot commit checkpoint {checkpoint.Id} of run {checkpoint.RunId}: the run is of pipeline '{pipeline}' but the lease is for '{lease.Pipeline}'");
        }
        if (state != RunState.Running)
        {
            throw new InvalidOperationException(
                $"cannot commit checkpoint {checkpoint.Id} of run {checkpoint.RunId}: the run has already ended ({SqliteValues.Code(state)})");
        }
        if (checkpoint.Id != last + 1)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"cannot commit checkpoint {checkpoint.Id} of run {checkpoint.RunId}: its last committed checkpoint is {last}, so the next must be {last + 1}"));
        }
    }

    public static async Task<CheckpointRecord?> GetLatestAsync(SqliteConnection connection, string runId, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$run", runId);
        command.CommandText = """
            SELECT id, created_at, duration_ms, records_committed, source_positions, sink_tokens, counts
            FROM checkpoints WHERE run_id = $run ORDER BY id DESC LIMIT 1
            """;
        CheckpointRecord checkpoint;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            checkpoint = new CheckpointRecord(runId, reader.GetInt64(0), SqliteValues.ParseTimestamp(reader.GetString(1)),
                TimeSpan.FromMilliseconds(reader.GetInt64(2)), reader.GetInt64(3), CheckpointJson.ReadMap(reader.GetString(4)),
                new Dictionary<string, byte[]>(), CheckpointJson.ReadMap(reader.GetString(5)), CheckpointJson.ReadCounts(reader.GetString(6)),
                [], []);
        }
        command.Parameters.AddWithValue("$checkpoint", checkpoint.Id);

        var state = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        command.CommandText = "SELECT stage, state FROM checkpoint_state WHERE run_id = $run AND checkpoint_id = $checkpoint";
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                state.Add(reader.GetString(0), reader.GetFieldValue<byte[]>(1));
            }
        }

        command.CommandText = "SELECT stage, path FROM committed_files WHERE run_id = $run AND checkpoint_id = $checkpoint ORDER BY stage, path";
        var files = await SqliteStateStore.ReadAllAsync(command, ReadCommittedFile, cancellationToken);
        command.CommandText = "SELECT input, value FROM input_marks WHERE run_id = $run AND checkpoint_id = $checkpoint ORDER BY input";
        var marks = await SqliteStateStore.ReadAllAsync(command, ReadInputMark, cancellationToken);
        return checkpoint with { OperatorState = state, Files = files, InputMarks = marks };
    }

    public static CheckpointSummary ReadSummary(SqliteDataReader row) => new(
        row.GetInt64(0), SqliteValues.ParseTimestamp(row.GetString(1)), TimeSpan.FromMilliseconds(row.GetInt64(2)), row.GetInt64(3));

    public static CommittedFile ReadCommittedFile(SqliteDataReader row) => new(row.GetString(0), row.GetString(1));

    public static InputMark ReadInputMark(SqliteDataReader row) => new(row.GetString(0), row.GetString(1));
}
