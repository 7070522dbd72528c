using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Sluice.CrashHarness.Flows;

/// <summary>What the state file says of a flow trial, read with SQL of the harness's own: the flow runs (a trial
/// resumes one run, so there should be one), the newest run's task rows and <c>completed</c> events, and the pipeline
/// runs; and, by task, how many instances a rerun found running (<see cref="Crashed"/>: it records them crashed and
/// runs them again). Times are nanoseconds since the epoch, like the ledger's.</summary>
internal sealed record FlowState(
    IReadOnlyList<(string Id, string State)> FlowRuns,
    IReadOnlyList<TaskRow> Tasks,
    IReadOnlyList<(string Task, int Instance, long At)> Completions,
    IReadOnlyList<(string Id, long StartedAt)> PipelineRuns,
    IReadOnlyDictionary<string, int> Crashed)
{
    public string? RunId => FlowRuns.Count > 0 ? FlowRuns[^1].Id : null;

    public static FlowState Read(string statePath)
    {
        using var connection = new SqliteConnection($"Data Source={statePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var runs = Query(connection, "SELECT r.id, r.state FROM flow_runs f JOIN runs r ON r.id = f.run_id ORDER BY r.started_at, r.id", null,
            r => (r.GetString(0), r.GetString(1)));
        string? run = runs.Count > 0 ? runs[^1].Item1 : null;
        var tasks = Query(connection, "SELECT task, instance, item, state, attempts, result FROM task_runs WHERE flow_run_id = $run ORDER BY task, instance", run,
            r => new TaskRow(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5)));
        var completions = Query(connection, "SELECT task, instance, at FROM task_events WHERE flow_run_id = $run AND state = 'completed' ORDER BY id", run,
            r => (r.GetString(0), r.GetInt32(1), Nanoseconds(r.GetString(2))));
        var pipelineRuns = Query(connection, "SELECT id, started_at FROM runs WHERE kind = 'pipeline' ORDER BY started_at", null,
            r => (r.GetString(0), Nanoseconds(r.GetString(1))));
        var crashed = Query(connection, "SELECT task, count(*) FROM task_events WHERE flow_run_id = $run AND state = 'crashed' GROUP BY task ORDER BY task", run,
            r => (r.GetString(0), r.GetInt32(1)));
        return new FlowState(runs, tasks, completions, pipelineRuns, crashed.ToDictionary(c => c.Item1, c => c.Item2));
    }

    /// <summary>An ISO 8601 timestamp as nanoseconds since the epoch (the state file keeps 100 ns ticks).</summary>
    public static long Nanoseconds(string timestamp) =>
        (DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static List<T> Query<T>(SqliteConnection connection, string sql, string? run, Func<SqliteDataReader, T> read)
    {
        using var query = connection.CreateCommand();
        query.CommandText = sql;
        query.Parameters.AddWithValue("$run", (object?)run ?? DBNull.Value);
        using var reader = query.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
