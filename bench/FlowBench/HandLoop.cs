using Microsoft.Data.Sqlite;

namespace Sluice.FlowBench;

/// <summary>
/// The floor under the flows: what durable bookkeeping of N trivial tasks costs with nothing else around it. One
/// task after another, each state change (running, then completed) a row inserted in its own immediate transaction,
/// with the state store's durability settings (WAL, synchronous=NORMAL). No graph, no parallelism, no results, no
/// resume: only the commits a dependent must wait for.
/// </summary>
internal static class HandLoop
{
    public static Task<long> RunAsync(int count, string stateFile)
    {
        using var connection = new SqliteConnection($"Data Source={stateFile}");
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
            CREATE TABLE task_events (id INTEGER PRIMARY KEY, task INTEGER NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL);
            """);
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO task_events (task, state, at) VALUES ($task, $state, $at)";
        var task = insert.Parameters.Add("$task", SqliteType.Integer);
        var state = insert.Parameters.Add("$state", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        long changes = 0;
        void Record(int instance, string change)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            insert.Transaction = transaction;
            (task.Value, state.Value, at.Value) = (instance, change, DateTimeOffset.UtcNow.ToString("O"));
            insert.ExecuteNonQuery();
            transaction.Commit();
            changes++;
        }
        for (int i = 0; i < count; i++)
        {
            Record(i, "running");
            Record(i, "completed");
        }
        return Task.FromResult(changes);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
