using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Flows;

/// <summary>
/// Flow runs, task instances, their events, the task cache and tag slots, in the SQLite state file beside the
/// pipeline runs. Every write is one immediate transaction on the store's write connection: a state change is in the
/// file (safe from a killed process; WAL, synchronous=NORMAL) once its call completes.
/// </summary>
internal sealed class SqliteFlowStore(SqliteStateStore store)
{
    private const string FlowRunColumns =
        SqliteRows.RunColumns + ", f.flow, f.partition_key, f.parameters, f.definition_hash, f.scheduled_for, f.cancel_requested";

    private const string TaskColumns =
        "flow_run_id, task, instance, item, state, attempts, started_at, ended_at, cache_key, pipeline_run_id, result, output, error";

    public SqliteStateStore State => store;

    public DateTimeOffset Now => store.Time.GetUtcNow();

    /// <summary>Records a new flow run, running, with the graph of the tasks it runs. Null when
    /// <paramref name="scheduledFor"/> is given and a run of the flow was started for that slot already (by this process
    /// or another, now or before a restart).</summary>
    public Task<FlowRunRecord?> StartFlowRunAsync(string flow, string partition, IReadOnlyDictionary<string, string> parameters,
        string definitionHash, DateTimeOffset? scheduledFor, FlowTaskGraph taskGraph, CancellationToken cancellationToken)
    {
        var startedAt = Now;
        string id = RunIds.New(startedAt);
        return store.WriteAsync<FlowRunRecord?>(async (connection, transaction) =>
        {
            if (scheduledFor is { } slot && await SlotTakenAsync(connection, transaction, flow, slot, cancellationToken))
            {
                return null;
            }
            await ExecuteAsync(connection, transaction, """
                INSERT INTO runs (id, pipeline, kind, state, started_at) VALUES ($id, $flow, $kind, $state, $started);
                INSERT INTO flow_runs (run_id, flow, partition_key, parameters, definition_hash, scheduled_for, task_graph)
                VALUES ($id, $flow, $partition, $parameters, $hash, $slot, $graph);
                """, cancellationToken,
                ("$id", id), ("$flow", flow), ("$kind", RunKinds.Flow), ("$state", SqliteValues.Code(RunState.Running)),
                ("$started", SqliteValues.Timestamp(startedAt)), ("$partition", partition), ("$parameters", ParametersJson(parameters)),
                ("$hash", definitionHash), ("$slot", scheduledFor is { } s ? SqliteValues.Timestamp(s) : null),
                ("$graph", taskGraph.ToJson()));
            var run = new RunRecord(id, flow, RunKinds.Flow, null, RunState.Running, startedAt, null, 0, 0, 0, 0, null);
            return new FlowRunRecord(run, flow, partition, parameters, definitionHash, scheduledFor, false);
        }, cancellationToken);
    }

    private static async Task<bool> SlotTakenAsync(SqliteConnection connection, SqliteTransaction transaction, string flow,
        DateTimeOffset slot, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM flow_runs WHERE flow = $flow AND scheduled_for = $slot";
        command.Parameters.AddWithValue("$flow", flow);
        command.Parameters.AddWithValue("$slot", SqliteValues.Timestamp(slot));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>The flow run with this id, or the only flow run whose id starts with it (pipeline runs, which share
    /// the id's form, do not make a prefix ambiguous); null otherwise.</summary>
    public async Task<FlowRunRecord?> FindFlowRunAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var exact = await QueryFlowRunsAsync("WHERE runs.id = $id", 1, cancellationToken, ("$id", idOrPrefix));
        if (exact.Count == 1)
        {
            return exact[0];
        }
        var found = await QueryFlowRunsAsync("WHERE substr(runs.id, 1, length($prefix)) = $prefix", 2, cancellationToken, ("$prefix", idOrPrefix));
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The newest run of the flow for this partition, when it did not succeed: the one to resume.</summary>
    public async Task<FlowRunRecord?> FindResumableAsync(string flow, string partition, CancellationToken cancellationToken)
    {
        var newest = await QueryFlowRunsAsync("WHERE f.flow = $flow AND f.partition_key = $partition", 1, cancellationToken,
            ("$flow", flow), ("$partition", partition));
        return newest is [{ Run.State: not RunState.Succeeded } run] ? run : null;
    }

    /// <summary>The run of the flow for <paramref name="slot"/> when it can be resumed: the process running it died, or
    /// it was stopped with its process (cancelled without <c>sluice flow cancel</c>). A slot's run that failed or was
    /// cancelled by hand is over: the slot does not run again by itself.</summary>
    public async Task<FlowRunRecord?> FindResumableSlotAsync(string flow, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var found = await QueryFlowRunsAsync("WHERE f.flow = $flow AND f.scheduled_for = $slot", 1, cancellationToken,
            ("$flow", flow), ("$slot", SqliteValues.Timestamp(slot)));
        return found is [var run] && IsInterrupted(run) ? run : null;
    }

    /// <summary>True for a run that ended without an outcome of its own: its process died (still <c>running</c>), or
    /// it was cancelled because its process was stopped rather than by <c>sluice flow cancel</c>.</summary>
    public static bool IsInterrupted(FlowRunRecord run) =>
        run.Run.State == RunState.Running || (run.Run.State == RunState.Cancelled && !run.CancelRequested);

    /// <summary>The flow's run with the latest slot, or null when no run of it was ever scheduled.</summary>
    public async Task<FlowRunRecord?> NewestScheduledAsync(string flow, CancellationToken cancellationToken)
    {
        // Slots are kept as UTC timestamps of one fixed width ("O"), so the greatest text is the latest slot.
        var found = await QueryFlowRunsAsync("""
            WHERE f.flow = $flow AND f.scheduled_for = (SELECT MAX(scheduled_for) FROM flow_runs WHERE flow = $flow)
            """, 1, cancellationToken, ("$flow", flow));
        return found is [var run] ? run : null;
    }

    /// <summary>Flow runs, newest first; of one flow when <paramref name="flow"/> is given.</summary>
    public Task<List<FlowRunRecord>> ListFlowRunsAsync(string? flow, int limit, CancellationToken cancellationToken) =>
        QueryFlowRunsAsync("WHERE $flow IS NULL OR f.flow = $flow", limit, cancellationToken, ("$flow", flow));

    /// <summary>The newest run of each partition of the flow, by partition.</summary>
    public async Task<Dictionary<string, FlowRunRecord>> LatestByPartitionAsync(string flow, CancellationToken cancellationToken)
    {
        var runs = await QueryFlowRunsAsync("WHERE f.flow = $flow AND f.partition_key <> ''", int.MaxValue, cancellationToken, ("$flow", flow));
        var latest = new Dictionary<string, FlowRunRecord>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            latest.TryAdd(run.Partition, run); // newest first
        }
        return latest;
    }

    private async Task<List<FlowRunRecord>> QueryFlowRunsAsync(string where, int limit, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {FlowRunColumns} FROM runs JOIN flow_runs f ON f.run_id = runs.id {where}
            ORDER BY runs.started_at DESC, runs.id DESC LIMIT $limit
            """;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.Parameters.AddWithValue("$limit", limit);
        return await SqliteStateStore.ReadAllAsync(command, ReadFlowRun, cancellationToken);
    }

    private static FlowRunRecord ReadFlowRun(SqliteDataReader row)
    {
        var run = SqliteRows.ReadRun(row);
        int at = 13;
        var parameters = (JsonNode.Parse(row.GetString(at + 2)) as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
        return new FlowRunRecord(run, row.GetString(at), row.GetString(at + 1), parameters, row.GetString(at + 3),
            row.IsDBNull(at + 4) ? null : SqliteValues.ParseTimestamp(row.GetString(at + 4)), row.GetInt64(at + 5) != 0);
    }

    private static string ParametersJson(IReadOnlyDictionary<string, string> parameters)
    {
        var json = new JsonObject();
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[name] = value;
        }
        return json.ToJsonString();
    }

    public async Task<List<TaskRunRecord>> ListTasksAsync(string flowRunId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TaskColumns} FROM task_runs WHERE flow_run_id = $run ORDER BY rowid";
        command.Parameters.AddWithValue("$run", flowRunId);
        return await SqliteStateStore.ReadAllAsync(command, ReadTask, cancellationToken);
    }

    public async Task<List<TaskEvent>> ListEventsAsync(string flowRunId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task, instance, state, attempt, at, message FROM task_events WHERE flow_run_id = $run ORDER BY id";
        command.Parameters.AddWithValue("$run", flowRunId);
        return await SqliteStateStore.ReadAllAsync(command, row => new TaskEvent(row.GetString(0), row.GetInt32(1),
            FlowValues.ParseTaskState(row.GetString(2)), row.GetInt32(3), SqliteValues.ParseTimestamp(row.GetString(4)),
            row.IsDBNull(5) ? null : row.GetString(5)), cancellationToken);
    }

    private static TaskRunRecord ReadTask(SqliteDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetInt32(2), Text(row, 3), FlowValues.ParseTaskState(row.GetString(4)), row.GetInt32(5),
        Time(row, 6), Time(row, 7), Text(row, 8), Text(row, 9), Text(row, 10), Text(row, 11), Text(row, 12));

    private static string? Text(SqliteDataReader row, int i) => row.IsDBNull(i) ? null : row.GetString(i);

    private static DateTimeOffset? Time(SqliteDataReader row, int i) => row.IsDBNull(i) ? null : SqliteValues.ParseTimestamp(row.GetString(i));

    /// <summary>Stores the rows as they are now and an event for each, in one transaction.</summary>
    public Task SaveAsync(IReadOnlyList<TaskRunRecord> rows, string? message, CancellationToken cancellationToken)
    {
        var at = SqliteValues.Timestamp(Now);
        return store.WriteAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = $"""
                INSERT INTO task_runs ({TaskColumns})
                VALUES ($run, $task, $instance, $item, $state, $attempts, $started, $ended, $key, $pipeline, $result, $output, $error)
                ON CONFLICT (flow_run_id, task, instance) DO UPDATE SET
                    item = excluded.item, state = excluded.state, attempts = excluded.attempts, started_at = excluded.started_at,
                    ended_at = excluded.ended_at, cache_key = excluded.cache_key, pipeline_run_id = excluded.pipeline_run_id,
                    result = excluded.result, output = excluded.output, error = excluded.error;
                INSERT INTO task_events (flow_run_id, task, instance, state, attempt, at, message)
                VALUES ($run, $task, $instance, $state, $attempts, $at, $message);
                """;
            string[] names = ["$run", "$task", "$instance", "$item", "$state", "$attempts", "$started", "$ended", "$key", "$pipeline", "$result", "$output", "$error", "$at", "$message"];
            foreach (string name in names)
            {
                upsert.Parameters.Add(name, SqliteType.Text);
            }
            upsert.Parameters["$at"].Value = at;
            foreach (var row in rows)
            {
                object?[] values = [row.FlowRunId, row.Task, row.Instance, row.Item, FlowValues.Code(row.State), row.Attempts,
                    row.StartedAt is { } s ? SqliteValues.Timestamp(s) : null, row.EndedAt is { } e ? SqliteValues.Timestamp(e) : null,
                    row.CacheKey, row.PipelineRunId, row.Result, row.Output, row.Error];
                for (int i = 0; i < values.Length; i++)
                {
                    upsert.Parameters[i].Value = values[i] ?? DBNull.Value;
                }
                upsert.Parameters["$message"].Value = (object?)(message ?? row.Error) ?? DBNull.Value;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            return 0;
        }, cancellationToken);
    }

    public Task FinishFlowRunAsync(string runId, RunState state, string? error, CancellationToken cancellationToken) =>
        store.FinishRunAsync(runId, state, new RunTotals(0, 0, 0, 0), error, cancellationToken);

    /// <summary>Asks the process running the flow run to cancel it; false when there is no such unfinished run.</summary>
    public Task<bool> RequestCancelAsync(string runId, CancellationToken cancellationToken) =>
        store.WriteAsync(async (connection, transaction) =>
            await ExecuteAsync(connection, transaction, """
                UPDATE flow_runs SET cancel_requested = 1
                WHERE run_id = $id AND EXISTS (SELECT 1 FROM runs WHERE id = $id AND state = 'running')
                """, cancellationToken, ("$id", runId)) > 0, cancellationToken);

    /// <summary>Opens an unfinished flow run again for a resume: running, and no longer asked to cancel (the request
    /// was for the attempt that ended). Its task graph becomes <paramref name="taskGraph"/>: the resumed run runs the
    /// flow as it is now (which may have changed), and a run an older Sluice started gets one.</summary>
    public async Task ReopenFlowRunAsync(string runId, FlowTaskGraph taskGraph, CancellationToken cancellationToken)
    {
        await store.ReopenRunAsync(runId, cancellationToken);
        await store.WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "UPDATE flow_runs SET cancel_requested = 0, task_graph = $graph WHERE run_id = $id", cancellationToken,
            ("$id", runId), ("$graph", taskGraph.ToJson())), cancellationToken);
    }

    /// <summary>The graph of the tasks the flow run ran; null for a run recorded before the state file kept one.</summary>
    /// <exception cref="InvalidDataException">The stored graph is not readable.</exception>
    public async Task<FlowTaskGraph?> FindTaskGraphAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_graph FROM flow_runs WHERE run_id = $id";
        command.Parameters.AddWithValue("$id", runId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? FlowTaskGraph.Parse(json) : null;
    }

    public async Task<bool> CancelRequestedAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT cancel_requested FROM flow_runs WHERE run_id = $id";
        command.Parameters.AddWithValue("$id", runId);
        return await command.ExecuteScalarAsync(cancellationToken) is long requested && requested != 0;
    }

    /// <summary>The result cached under <paramref name="key"/> that has not expired, as JSON, or null.</summary>
    public async Task<string?> FindCachedAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT result FROM task_cache WHERE cache_key = $key AND (expires_at IS NULL OR expires_at > $now)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", SqliteValues.Timestamp(Now));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task PutCachedAsync(string key, string flow, string task, string result, string flowRunId, TimeSpan? expire,
        CancellationToken cancellationToken)
    {
        var now = Now;
        return store.WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction, """
            INSERT OR REPLACE INTO task_cache (cache_key, flow, task, result, flow_run_id, created_at, expires_at)
            VALUES ($key, $flow, $task, $result, $run, $created, $expires)
            """, cancellationToken, ("$key", key), ("$flow", flow), ("$task", task), ("$result", result), ("$run", flowRunId),
            ("$created", SqliteValues.Timestamp(now)), ("$expires", expire is { } e ? SqliteValues.Timestamp(now + e) : null)), cancellationToken);
    }

    /// <summary>Takes one of <paramref name="limit"/> slots of <paramref name="tag"/> for <paramref name="slot"/> when
    /// one is free. Slots of holders whose lease ran out, or of dead processes of this machine, are freed first.</summary>
    public Task<bool> TryTakeTagAsync(string tag, int limit, string holder, string slot, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = Now;
        return store.WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM tag_slots WHERE tag = $tag AND expires_at <= $now", cancellationToken,
                ("$tag", tag), ("$now", SqliteValues.Timestamp(now)));
            var holders = new List<string>();
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT DISTINCT holder FROM tag_slots WHERE tag = $tag";
                read.Parameters.AddWithValue("$tag", tag);
                holders.AddRange(await SqliteStateStore.ReadAllAsync(read, r => r.GetString(0), cancellationToken));
            }
            foreach (string dead in holders.Where(LocalProcesses.IsDead))
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM tag_slots WHERE holder = $holder", cancellationToken, ("$holder", dead));
            }
            await using (var count = connection.CreateCommand())
            {
                count.Transaction = transaction;
                count.CommandText = "SELECT COUNT(*) FROM tag_slots WHERE tag = $tag";
                count.Parameters.AddWithValue("$tag", tag);
                if ((long)(await count.ExecuteScalarAsync(cancellationToken))! >= limit)
                {
                    return false;
                }
            }
            await ExecuteAsync(connection, transaction, """
                INSERT OR REPLACE INTO tag_slots (tag, holder, slot, expires_at) VALUES ($tag, $holder, $slot, $expires)
                """, cancellationToken, ("$tag", tag), ("$holder", holder), ("$slot", slot), ("$expires", SqliteValues.Timestamp(now + ttl)));
            return true;
        }, cancellationToken);
    }

    /// <summary>Extends every slot <paramref name="holder"/> holds.</summary>
    public Task RenewTagsAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "UPDATE tag_slots SET expires_at = $expires WHERE holder = $holder", cancellationToken,
            ("$holder", holder), ("$expires", SqliteValues.Timestamp(Now + ttl))), cancellationToken);

    public Task ReleaseTagAsync(string tag, string holder, string slot, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "DELETE FROM tag_slots WHERE tag = $tag AND holder = $holder AND slot = $slot", cancellationToken,
            ("$tag", tag), ("$holder", holder), ("$slot", slot)), cancellationToken);

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
