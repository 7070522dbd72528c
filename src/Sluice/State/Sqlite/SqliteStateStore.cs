using Sluice.Alerts;
using Sluice.State;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;
using Sluice.Expectations;
using Sluice.Lineage;
using Sluice.State.Sqlite;

namespace Sluice;

/// <summary>
/// The embedded state store: one SQLite file (WAL mode) holding runs, their stage counts and dead letters.
/// Writes go through one connection, one at a time; reads open their own connection and run beside the writer,
/// which WAL allows, so the CLI can read while a run writes dead letters. After <see cref="DisposeAsync"/> no
/// connection holds the file.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    // Applied to every connection. busy_timeout makes SQLite wait for a lock held by another process (another
    // run or the CLI on the same file) instead of failing at once.
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _writer;
    // Guards _writer and _disposed. Not disposed itself: it has no wait handle to free, and a call that races
    // with DisposeAsync must still be able to take it and then see _disposed.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _disposed;
    // Opened by OpenReadOnlyAsync: _writer is a read-only connection, and every write is refused.
    private readonly bool _readOnly;

    private SqliteStateStore(string path, string connectionString, TimeProvider time, SqliteConnection writer, bool readOnly)
    {
        Path = path;
        _readOnly = readOnly;
        _connectionString = connectionString;
        _time = time;
        _writer = writer;
    }

    /// <summary>The full path of the state file.</summary>
    public string Path { get; }

    /// <summary>The store's clock: what its timestamps and lease expiries are read from.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Opens the state file, creating it and its folder when missing, and brings its schema up to date.</summary>
    /// <exception cref="StateFileException">The path is a folder or cannot be written, the file is not a state file
    /// or is damaged, another process keeps it locked, or it was written by a newer Sluice.</exception>
    public static Task<SqliteStateStore> OpenAsync(string path, CancellationToken cancellationToken = default) =>
        OpenAsync(path, TimeProvider.System, cancellationToken);

    internal static async Task<SqliteStateStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw SqliteStateErrors.Folder(fullPath);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(fullPath, StateFileProblem.Unusable,
                $"cannot create the folder of state file {fullPath} ({e.Message.TrimEnd('.')}): give a path whose folder exists or can be created", e);
        }
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A pooled connection would keep the file open after DisposeAsync; opening a SQLite connection is cheap.
            Pooling = false,
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);
            // SQLite opens a file it may not write read-only without a word, and the first write of the run would
            // fail on it; say so now, naming the file.
            if (SQLitePCL.raw.sqlite3_db_readonly(writer.Handle, "main") == 1)
                throw SqliteStateErrors.ReadOnlyFile(fullPath);
            // WAL lets readers run while a write is in progress. synchronous=NORMAL is safe in WAL mode: the file
            // is never corrupted and a crash of the process loses nothing; only an OS crash or power loss can lose
            // the last transactions. That is enough for run history and dead letters; a checkpoint commit, which must
            // be durable, switches to FULL for its own transaction (see CommitCheckpointAsync).
            await ExecuteAsync(writer, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; " + ConnectionPragmas, cancellationToken);
            await SqliteMigrations.ApplyAsync(writer, fullPath, cancellationToken);
        }
        catch (Exception e)
        {
            await writer.DisposeAsync();
            if (e is SqliteException sqlite)
                throw SqliteStateErrors.Describe(fullPath, sqlite, readOnly: false);
            throw;
        }
        return new SqliteStateStore(fullPath, connectionString, time, writer, readOnly: false);
    }

    /// <summary>Opens an existing state file only to read it: no write, no migration, no file created beside it when
    /// its folder is read-only. For the commands that show history, which must work on a state file they may not
    /// write (a copy, a read-only mount, another user's file).</summary>
    /// <exception cref="StateFileException">The path is a folder or cannot be read, the file is not a state file or
    /// is damaged, or its schema is not this Sluice's (newer, or older and not yet upgraded by a write).</exception>
    public static async Task<SqliteStateStore> OpenReadOnlyAsync(string path, CancellationToken cancellationToken = default)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw SqliteStateErrors.Folder(fullPath);
        SqliteException error;
        try
        {
            return await ConnectReadOnlyAsync(fullPath, immutable: false, cancellationToken);
        }
        catch (SqliteException e)
        {
            error = e;
        }
        // A read-only open of a WAL database needs its -shm file, or a folder where it can be created: in a read-only
        // folder SQLite cannot open it. But with no -wal file (or an empty one) every committed transaction is in the
        // main file, so reading that file as immutable misses nothing (and a writer could not start meanwhile: it
        // would have to create its -wal in this same folder).
        bool walHasCommits = new FileInfo(fullPath + "-wal") is { Exists: true, Length: > 0 };
        if (error.SqliteErrorCode == SqliteStateErrors.CantOpen && !walHasCommits)
        {
            try
            {
                return await ConnectReadOnlyAsync(fullPath, immutable: true, cancellationToken);
            }
            catch (SqliteException e)
            {
                error = e;
            }
        }
        else if (error.SqliteErrorCode == SqliteStateErrors.CantOpen && !File.Exists(fullPath + "-shm"))
        {
            throw SqliteStateErrors.UnreadableLog(fullPath, error);
        }
        throw SqliteStateErrors.Describe(fullPath, error, readOnly: true);
    }

    private static async Task<SqliteStateStore> ConnectReadOnlyAsync(string fullPath, bool immutable, CancellationToken cancellationToken)
    {
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = immutable ? new Uri(fullPath).AbsoluteUri + "?immutable=1" : fullPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        var reader = new SqliteConnection(connectionString);
        try
        {
            await reader.OpenAsync(cancellationToken);
            await ExecuteAsync(reader, ConnectionPragmas, cancellationToken);
            await SqliteMigrations.CheckReadableAsync(reader, fullPath, cancellationToken);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
        return new SqliteStateStore(fullPath, connectionString, TimeProvider.System, reader, readOnly: true);
    }

    public Task<RunRecord> StartRunAsync(string pipeline, string kind = RunKinds.Pipeline, string? parentRunId = null, string? id = null, CancellationToken cancellationToken = default) =>
        StartAsync(pipeline, kind, parentRunId, id, supersedes: null, rereadsInput: false, cancellationToken);

    public Task<RunRecord> StartFreshRunAsync(string pipeline, string supersedes, string? id = null, bool rereadsInput = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(supersedes);
        return StartAsync(pipeline, RunKinds.Pipeline, parentRunId: null, id, supersedes, rereadsInput, cancellationToken);
    }

    private Task<RunRecord> StartAsync(string pipeline, string kind, string? parentRunId, string? id, string? supersedes, bool rereadsInput,
        CancellationToken cancellationToken)
    {
        string? chosenId = id;
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var startedAt = _time.GetUtcNow();
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO runs (id, pipeline, kind, parent_run_id, state, started_at)
                VALUES ($id, $pipeline, $kind, $parent, $state, $started)
                ON CONFLICT (id) DO NOTHING
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            command.Parameters.AddWithValue("$pipeline", pipeline);
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$parent", (object?)parentRunId ?? DBNull.Value);
            command.Parameters.AddWithValue("$state", SqliteValues.Code(RunState.Running));
            command.Parameters.AddWithValue("$started", SqliteValues.Timestamp(startedAt));
            if (chosenId is not null)
            {
                id.Value = chosenId;
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    throw new InvalidOperationException($"state file {Path} already has a run '{chosenId}'");
                }
            }
            else
            {
                // Two runs started in the same second share 1 chance in 16.7 million of drawing the same id: draw again.
                do
                {
                    id.Value = RunIds.New(startedAt);
                }
                while (await command.ExecuteNonQueryAsync(cancellationToken) == 0);
            }
            if (supersedes is not null && rereadsInput)
            {
                await DropRereadDeadLettersAsync(connection, transaction, pipeline, supersedes, cancellationToken);
            }

            return new RunRecord((string)id.Value, pipeline, kind, parentRunId, RunState.Running, startedAt, null, 0, 0, 0, 0, null);
        }, cancellationToken);
    }

    /// <summary>Deletes the letters of <paramref name="runId"/> from input that run did not record as consumed: the
    /// fresh run reads that input again (a file from its start, or a grown file from where an earlier run recorded
    /// its end) and judges its records anew. A letter's input is the path its source read (an http source's is its
    /// URL, never consumed: every run reads it again).</summary>
    private static async Task DropRereadDeadLettersAsync(SqliteConnection connection, SqliteTransaction transaction, string pipeline,
        string runId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM dead_letters
            WHERE run_id = $run AND input NOT IN (SELECT input FROM input_marks WHERE pipeline = $pipeline AND run_id = $run)
            """;
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$pipeline", pipeline);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task SaveStageCountsAsync(string runId, IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(stages);
        return WriteAsync(async (connection, transaction) =>
        {
            await ReplaceStageCountsAsync(connection, transaction, runId, stages, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    internal static async Task ReplaceStageCountsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId,
        IReadOnlyList<StageCounts> stages, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM run_stages WHERE run_id = $run";
        command.Parameters.AddWithValue("$run", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);

        command.CommandText = """
            INSERT INTO run_stages (run_id, ordinal, stage, kind, records_in, records_out, filtered, dead_lettered, busy_ms,
                retries, timeouts, circuit_openings, circuit_closings, inputs)
            VALUES ($run, $ordinal, $stage, $kind, $in, $out, $filtered, $dead, $busy, $retries, $timeouts, $openings, $closings, $inputs)
            """;
        var ordinal = command.Parameters.Add("$ordinal", SqliteType.Integer);
        var stage = command.Parameters.Add("$stage", SqliteType.Text);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var recordsIn = command.Parameters.Add("$in", SqliteType.Integer);
        var recordsOut = command.Parameters.Add("$out", SqliteType.Integer);
        var filtered = command.Parameters.Add("$filtered", SqliteType.Integer);
        var dead = command.Parameters.Add("$dead", SqliteType.Integer);
        var busy = command.Parameters.Add("$busy", SqliteType.Integer);
        var retries = command.Parameters.Add("$retries", SqliteType.Integer);
        var timeouts = command.Parameters.Add("$timeouts", SqliteType.Integer);
        var openings = command.Parameters.Add("$openings", SqliteType.Integer);
        var closings = command.Parameters.Add("$closings", SqliteType.Integer);
        var inputs = command.Parameters.Add("$inputs", SqliteType.Text);
        for (int i = 0; i < stages.Count; i++)
        {
            var counts = stages[i];
            ordinal.Value = i;
            stage.Value = counts.Stage;
            kind.Value = SqliteValues.Code(counts.Kind);
            recordsIn.Value = counts.In;
            recordsOut.Value = counts.Out;
            filtered.Value = counts.Filtered;
            dead.Value = counts.DeadLettered;
            busy.Value = SqliteValues.Milliseconds(counts.Busy);
            retries.Value = counts.Retries;
            timeouts.Value = counts.Timeouts;
            openings.Value = counts.CircuitOpenings;
            closings.Value = counts.CircuitClosings;
            inputs.Value = System.Text.Json.JsonSerializer.Serialize(counts.Inputs);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task FinishRunAsync(string runId, RunState state, RunTotals totals, string? error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(totals);
        var endedAt = _time.GetUtcNow();
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE runs SET state = $state, ended_at = $ended, records_read = $read, records_written = $written,
                    filtered = $filtered, dead_lettered = $dead, error = $error
                WHERE id = $id
                """;
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$state", SqliteValues.Code(state));
            command.Parameters.AddWithValue("$ended", SqliteValues.Timestamp(endedAt));
            command.Parameters.AddWithValue("$read", totals.RecordsRead);
            command.Parameters.AddWithValue("$written", totals.RecordsWritten);
            command.Parameters.AddWithValue("$filtered", totals.Filtered);
            command.Parameters.AddWithValue("$dead", totals.DeadLettered);
            command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new InvalidOperationException($"state file {Path} has no run '{runId}' to finish");
            }
            return 0;
        }, cancellationToken);
    }

    public Task ReopenRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE runs SET state = $running, ended_at = NULL, error = NULL WHERE id = $id AND state <> $succeeded";
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$running", SqliteValues.Code(RunState.Running));
            command.Parameters.AddWithValue("$succeeded", SqliteValues.Code(RunState.Succeeded));
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new InvalidOperationException($"state file {Path} has no unsucceeded run '{runId}' to reopen");
            }
            return 0;
        }, cancellationToken);
    }

    /// <summary>Stores the letters in one transaction through one prepared statement, so a large batch of bad
    /// records costs one disk sync, not one per letter.</summary>
    public Task AddDeadLettersAsync(string runId, string pipeline, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (deadLetters.Count == 0)
        {
            return Task.CompletedTask;
        }
        string createdAt = SqliteValues.Timestamp(_time.GetUtcNow());
        return WriteAsync((connection, _) =>
        {
            DeadLetterInserts.Insert(connection.Handle!, runId, pipeline, createdAt, deadLetters, cancellationToken);
            return Task.FromResult(0);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string? pipeline = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SqliteRows.RunColumns} FROM runs
            {(pipeline is null ? "" : "WHERE pipeline = $pipeline")}
            ORDER BY started_at DESC, id DESC LIMIT $limit
            """;
        if (pipeline is not null)
        {
            command.Parameters.AddWithValue("$pipeline", pipeline);
        }
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAllAsync(command, SqliteRows.ReadRun, cancellationToken);
    }

    public async Task<RunRecord?> FindRunAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        if (idOrPrefix.Length == 0)
        {
            return null;
        }
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A range on the primary key rather than LIKE: index-backed, and the user's text needs no escaping.
        // Ids are ASCII, so every id starting with the prefix sorts below prefix + U+10FFFF. The exact id, if
        // present, sorts first.
        command.CommandText = $"""
            SELECT {SqliteRows.RunColumns} FROM runs
            WHERE id >= $prefix AND id < $prefix || char(1114111)
            ORDER BY id LIMIT 2
            """;
        command.Parameters.AddWithValue("$prefix", idOrPrefix);
        var runs = await ReadAllAsync(command, SqliteRows.ReadRun, cancellationToken);
        return runs.Count == 1 || (runs.Count == 2 && runs[0].Id == idOrPrefix) ? runs[0] : null;
    }

    public async Task<IReadOnlyList<StageCounts>> GetStageCountsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT stage, kind, records_in, records_out, filtered, dead_lettered, busy_ms,
                retries, timeouts, circuit_openings, circuit_closings, inputs FROM run_stages
            WHERE run_id = $run ORDER BY ordinal
            """;
        command.Parameters.AddWithValue("$run", runId);
        return await ReadAllAsync(command, static row => new StageCounts(
            row.GetString(0),
            SqliteValues.ParseStageKind(row.GetString(1)),
            row.GetInt64(2),
            row.GetInt64(3),
            row.GetInt64(4),
            row.GetInt64(5),
            TimeSpan.FromMilliseconds(row.GetInt64(6)))
        {
            Retries = row.GetInt64(7),
            Timeouts = row.GetInt64(8),
            CircuitOpenings = row.GetInt64(9),
            CircuitClosings = row.GetInt64(10),
            Inputs = System.Text.Json.JsonSerializer.Deserialize<string[]>(row.GetString(11)) ?? [],
        }, cancellationToken);
    }

    public Task SaveExpectationResultsAsync(string runId, IReadOnlyList<ExpectationResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(results);
        return WriteAsync(async (connection, transaction) =>
        {
            await SqliteExpectations.ReplaceAsync(connection, transaction, runId, results, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ExpectationResult>> GetExpectationResultsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT expectation, measured, passed, severity FROM run_expectations WHERE run_id = $run ORDER BY ordinal";
        command.Parameters.AddWithValue("$run", runId);
        return await ReadAllAsync(command, SqliteExpectations.Read, cancellationToken);
    }

    public Task SaveRunNotesAsync(string runId, IReadOnlyList<RunNote> notes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(notes);
        return WriteAsync(async (connection, transaction) =>
        {
            await SqliteRunNotes.ReplaceAsync(connection, transaction, runId, notes, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<RunNote>> GetRunNotesAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteRunNotes.Select;
        command.Parameters.AddWithValue("$run", runId);
        return await ReadAllAsync(command, SqliteRunNotes.Read, cancellationToken);
    }

    public Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        ListDeadLettersAsync(query, withOriginals: true, cancellationToken);

    /// <summary>Without originals (<see cref="StoredDeadLetter.Original"/> empty) for a list that shows none: one
    /// letter's can be megabytes, and a page of them cost their whole size in memory.</summary>
    internal async Task<IReadOnlyList<StoredDeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, bool withOriginals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, nameof(query.Limit));
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        string columns = withOriginals ? SqliteRows.DeadLetterColumns : SqliteRows.DeadLetterColumns.Replace(" original,", " NULL AS original,", StringComparison.Ordinal);
        // The page's ids first, from an index alone, then their rows: where an index does not yield ids in order (a
        // pipeline's letters of a year, by time) SQLite would otherwise read every matching row, original bytes and
        // all, to keep the newest few: 550 ms for 330,000 letters, 100 ms this way.
        string order = query.OldestFirst ? "ASC" : "DESC";
        command.CommandText = $"""
            SELECT {columns} FROM dead_letters
            WHERE id IN (SELECT id FROM dead_letters{Where(command, query)} ORDER BY id {order} LIMIT $limit) ORDER BY id {order}
            """;
        command.Parameters.AddWithValue("$limit", query.Limit);
        return await ReadAllAsync(command, SqliteRows.ReadDeadLetter, cancellationToken);
    }

    public async Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM dead_letters" + Where(command, query);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task<long> PurgeDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.IsFiltered)
        {
            throw new ArgumentException("purging dead letters needs a filter (pipeline, run, reason, stage, field, time or ids)", nameof(query));
        }
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM dead_letters" + Where(command, query);
            return (long)await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The query's filters as a WHERE clause (empty when none), their values bound on <paramref name="command"/>.</summary>
    internal static string Where(SqliteCommand command, DeadLetterQuery query)
    {
        var conditions = new List<string>(4);
        AddFilter(command, conditions, "pipeline", query.Pipeline);
        AddFilter(command, conditions, "run_id", query.RunId);
        AddFilter(command, conditions, "reason", query.Reason?.Code());
        AddFilter(command, conditions, "stage", query.Stage);
        AddFilter(command, conditions, "field", query.Field);
        if (query.Since is { } since)
        {
            conditions.Add("created_at >= $since");
            command.Parameters.AddWithValue("$since", SqliteValues.Timestamp(since));
        }
        if (query.Until is { } until)
        {
            conditions.Add("created_at < $until");
            command.Parameters.AddWithValue("$until", SqliteValues.Timestamp(until));
        }
        if (query.Ids is { } ids)
        {
            if (ids.Count > DeadLetterQuery.MaxIds)
                throw new ArgumentException($"a dead-letter query lists {ids.Count} ids; at most {DeadLetterQuery.MaxIds}", nameof(query));
            // An empty list selects nothing (not everything): "id IN ()" is not SQL, so say it as a condition that never holds.
            var names = new List<string>(ids.Count);
            for (int i = 0; i < ids.Count; i++)
            {
                names.Add($"$id{i}");
                command.Parameters.AddWithValue($"$id{i}", ids[i]);
            }
            conditions.Add(ids.Count == 0 ? "0" : $"id IN ({string.Join(", ", names)})");
        }
        if (query.AfterId > 0)
        {
            conditions.Add("id > $after_id");
            command.Parameters.AddWithValue("$after_id", query.AfterId);
        }
        if (query.ThroughId is { } through)
        {
            conditions.Add("id <= $through_id");
            command.Parameters.AddWithValue("$through_id", through);
        }
        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }

    public async Task<StoredDeadLetter?> GetDeadLetterAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRows.DeadLetterColumns} FROM dead_letters WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        var letters = await ReadAllAsync(command, SqliteRows.ReadDeadLetter, cancellationToken);
        return letters.Count == 0 ? null : letters[0];
    }

    public Task<Lease> AcquireLeaseAsync(string pipeline, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return WriteAsync((connection, transaction) =>
            SqliteLeases.AcquireAsync(connection, transaction, pipeline, holder, _time.GetUtcNow(), ttl, cancellationToken), cancellationToken);
    }

    public Task<Lease> RenewLeaseAsync(Lease lease, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return WriteAsync((connection, transaction) =>
            SqliteLeases.RenewAsync(connection, transaction, lease, _time.GetUtcNow(), ttl, cancellationToken), cancellationToken);
    }

    public Task ReleaseLeaseAsync(Lease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(async (connection, transaction) =>
        {
            await SqliteLeases.ReleaseAsync(connection, transaction, lease, _time.GetUtcNow(), cancellationToken);
            return 0;
        }, cancellationToken);
    }

    /// <summary>
    /// Commits with synchronous=FULL, which in WAL mode fsyncs the log before the commit returns (NORMAL, the
    /// store's default, leaves the last transactions to the next WAL checkpoint and can lose them on power loss).
    /// The fsync also makes every earlier transaction durable, lease changes and dead letters included.
    /// Cost, measured on the dev machine (ext4 on a virtual disk, 2 shared cores; 200 commits each of 4 stages,
    /// 10 committed files, 1 consumed file, 1 kB of operator state, 10 dead letters; 4 runs): 0.27-0.31 ms per
    /// commit at NORMAL, 0.42-0.63 ms at FULL, 0.49-0.55 ms through this method (FULL plus the two pragmas).
    /// So about 0.25 ms of fsync: nothing at one checkpoint per 10,000 records. A disk without a write cache
    /// may take milliseconds per fsync; that is the price of the guarantee.
    /// </summary>
    public Task CommitCheckpointAsync(Lease lease, CheckpointRecord checkpoint, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(deadLetters);
        return WriteAsync(async (connection, transaction) =>
        {
            await SqliteCheckpoints.CommitAsync(connection, transaction, lease, checkpoint, deadLetters, _time.GetUtcNow(), cancellationToken);
            return 0;
        }, cancellationToken, durable: true);
    }

    public async Task<CheckpointRecord?> GetLatestCheckpointAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await SqliteCheckpoints.GetLatestAsync(connection, runId, cancellationToken);
    }

    public async Task<IReadOnlyList<CheckpointSummary>> ListCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, created_at, duration_ms, records_committed FROM checkpoints WHERE run_id = $run ORDER BY id";
        command.Parameters.AddWithValue("$run", runId);
        return await ReadAllAsync(command, SqliteCheckpoints.ReadSummary, cancellationToken);
    }

    public Task<RunRecord?> FindUnfinishedRunAsync(string pipeline, string? kind = null, CancellationToken cancellationToken = default) =>
        NewestRunAsync(pipeline, kind, RunState.Running, cancellationToken);

    public Task<RunRecord?> FindLatestRunAsync(string pipeline, string kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return NewestRunAsync(pipeline, kind, state: null, cancellationToken);
    }

    /// <summary>The pipeline's newest run, of this kind and in this state when they are given.</summary>
    private async Task<RunRecord?> NewestRunAsync(string pipeline, string? kind, RunState? state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SqliteRows.RunColumns} FROM runs
            WHERE pipeline = $pipeline AND ($state IS NULL OR state = $state) AND ($kind IS NULL OR kind = $kind)
            ORDER BY started_at DESC, id DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$state", state is { } s ? SqliteValues.Code(s) : DBNull.Value);
        command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        var runs = await ReadAllAsync(command, SqliteRows.ReadRun, cancellationToken);
        return runs.Count == 0 ? null : runs[0];
    }

    public async Task<string?> FindCommittedPositionAsync(string pipeline, string stage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(stage);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Newest first; the first checkpoint whose map names the stage wins (a pipeline's stages may have changed).
        command.CommandText = """
            SELECT c.source_positions FROM checkpoints c JOIN runs r ON r.id = c.run_id
            WHERE r.pipeline = $pipeline AND r.kind = $kind
            ORDER BY r.started_at DESC, r.id DESC, c.id DESC
            """;
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$kind", RunKinds.Pipeline);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (CheckpointJson.ReadMap(reader.GetString(0)).TryGetValue(stage, out var position))
            {
                return position;
            }
        }
        return null;
    }

    public async Task<IReadOnlyList<InputMark>> ListInputMarksAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT input, value FROM input_marks WHERE pipeline = $pipeline ORDER BY input";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        return await ReadAllAsync(command, SqliteCheckpoints.ReadInputMark, cancellationToken);
    }

    public async Task<IReadOnlyList<CommittedFile>> ListCommittedFilesAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT stage, path FROM committed_files WHERE run_id = $run ORDER BY checkpoint_id, stage, path";
        command.Parameters.AddWithValue("$run", runId);
        return await ReadAllAsync(command, SqliteCheckpoints.ReadCommittedFile, cancellationToken);
    }

    public Task SaveLineageAsync(PipelineLineage lineage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lineage);
        return WriteAsync(async (connection, transaction) =>
        {
            await SqliteLineage.ReplaceAsync(connection, transaction, lineage, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<PipelineLineage>> ListLineageAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteLineage.Select;
        return await ReadAllAsync(command, SqliteLineage.Read, cancellationToken);
    }

    public async Task<IReadOnlyList<FlowPipeline>> ListFlowPipelinesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteLineage.SelectFlowPipelines;
        return await ReadAllAsync(command, SqliteLineage.ReadFlowPipeline, cancellationToken);
    }

    /// <summary>Waits for the write in progress, if any, then closes the file. Reads in progress finish on
    /// their own connections.</summary>
    /// <summary>Recorded freshness and SLA misses, newest first, a page at a time (<see cref="AlertQuery.BeforeId"/>),
    /// with whether and when each was sent to its webhook. Works on a store opened read-only.</summary>
    public Task<IReadOnlyList<AlertRecord>> ListAlertsAsync(AlertQuery query, CancellationToken cancellationToken = default) =>
        new AlertStore(this).ListAsync(query, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            await _writer.DisposeAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> in an immediate transaction on the write connection, alone; when
    /// <paramref name="durable"/>, the commit is on disk (fsynced) when the task completes.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken,
        bool durable = false)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_readOnly)
                throw new InvalidOperationException($"state file {Path} was opened read-only: open it with OpenAsync to write");
            // SQLite refuses to change the level inside a transaction, so it is set around it. When the
            // transaction fails the connection stays at FULL: slower for later writes, never less safe.
            if (durable)
            {
                await ExecuteAsync(_writer, "PRAGMA synchronous = FULL", cancellationToken);
            }
            T result;
            // Immediate: take the file's write lock up front, so a transaction never fails half-way on a lock
            // another process holds (busy_timeout covers the wait for it here instead).
            await using (var transaction = _writer.BeginTransaction(deferred: false))
            {
                result = await work(_writer, transaction);
                await transaction.CommitAsync(cancellationToken);
            }
            if (durable)
            {
                await ExecuteAsync(_writer, "PRAGMA synchronous = NORMAL", CancellationToken.None);
            }
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, ConnectionPragmas, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(read(reader));
        }
        return results;
    }

    private static void AddFilter(SqliteCommand command, List<string> conditions, string column, string? value)
    {
        if (value is not null)
        {
            conditions.Add($"{column} = ${column}");
            command.Parameters.AddWithValue("$" + column, value);
        }
    }
}
