using Npgsql;
using NpgsqlTypes;
using Sluice.Extensibility;

namespace Sluice.Postgres.Sink;

/// <summary>
/// The <c>postgres</c> sink. Consumes when: a batch arrives; its rows are streamed by binary COPY into the current
/// unit's staging table before <see cref="WriteAsync"/> returns (memory: one batch and the driver's buffer).
/// Backpressures when: the server takes the COPY slower than upstream produces. Prepares when asked: the COPY is
/// finished and the transaction that created the staging table commits (durable, and invisible to readers of the
/// target table); later rows go to a new unit. Commits a token (a staging table's name) in one transaction: a marker
/// row for it is inserted (if one exists already, the unit was committed before, and nothing else is done), the
/// staging rows are moved into the target table (appended, or upserted with the last record of each key winning) and
/// the staging table is dropped. So committing a token again — a resumed run does — changes nothing.
/// </summary>
internal sealed class PostgresSink : ISink, INamedDataset
{
    private readonly NpgsqlDataSource _data;
    private readonly ConnectionText _connection;
    private readonly TargetTable _target;
    private readonly PostgresWriteMode _mode;
    private readonly string _pipeline;
    private readonly string _stage;
    private readonly string _runId;
    private readonly StagingNames _names;
    private readonly ResiliencePolicy _resilience;
    private readonly string _columns; // the input columns as the table names them, quoted, in input order
    private readonly int[] _good;     // rows of the current batch that are written, reused

    // The unit being written (only the sink's worker touches these).
    private NpgsqlConnection? _copyConnection;
    private NpgsqlTransaction? _copyTransaction;
    private NpgsqlBinaryImporter? _importer;
    private string? _staging;
    private long _sequence;

    // Published totals, for the run summary (commits may run on the coordinator's thread).
    private long _publishedRows;
    private int _commits;

    public PostgresSink(ConnectionText connection, TargetTable target, PostgresWriteMode mode, BuildContext context)
    {
        _connection = connection;
        _data = NpgsqlDataSource.Create(connection.ForRun);
        _target = target;
        _mode = mode;
        _pipeline = context.PipelineName;
        _stage = context.StageName;
        _runId = context.RunId;
        _names = new StagingNames(context.PipelineName, context.StageName, context.RunId);
        _resilience = context.Resilience;
        _columns = string.Join(", ", target.Writers.Select(w => TableName.Quote(w.Column.Name)));
        _good = new int[Math.Max(context.BatchSize, 1)];
    }

    /// <summary>False: a COPY that failed half way has sent part of a batch into a transaction that is now broken, and
    /// the unit's earlier batches are gone from memory, so it cannot simply be tried again. The run fails and the next
    /// one resumes from the last checkpoint. (Commits are retried: they are idempotent.)</summary>
    public bool WritesAreRetrySafe => false;

    public LineageDataset Dataset => _connection.Dataset($"{_target.Schema}.{_target.Name}");

    public IReadOnlyList<string> Published
    {
        get
        {
            long rows = Interlocked.Read(ref _publishedRows);
            int commits = Volatile.Read(ref _commits);
            return commits == 0 ? [] : [$"{_target} ({rows:N0} rows {(_mode == PostgresWriteMode.Upsert ? "upserted" : "appended")} in {commits:N0} {(commits == 1 ? "commit" : "commits")})"];
        }
    }

    /// <summary>Records whose values the table cannot take are dead-lettered (reason <c>sink</c>), the others copied.</summary>
    public async ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        if (batch.Length == 0)
        {
            return;
        }
        var writers = _target.Writers;
        foreach (var writer in writers)
        {
            writer.Bind(batch.Data);
        }
        int[] good = batch.Length <= _good.Length ? _good : new int[batch.Length];
        int count = 0;
        for (int row = 0; row < batch.Length; row++)
        {
            Refusal? refused = null;
            ColumnWriter? at = null;
            foreach (var writer in writers)
            {
                if (writer.Check(row) is { } refusal)
                {
                    (refused, at) = (refusal, writer);
                    break;
                }
            }
            if (refused is { } r)
            {
                context.DeadLetter(batch.Origins[row], DeadLetterReason.Sink, at!.Field, r.Rule, r.Message);
            }
            else
            {
                good[count++] = row;
            }
        }
        if (count == 0)
        {
            return;
        }
        try
        {
            var importer = _importer ?? await StartUnitAsync(cancellationToken);
            bool sequenced = _mode == PostgresWriteMode.Upsert;
            for (int i = 0; i < count; i++)
            {
                int row = good[i];
                // Synchronous writes: they fill the driver's buffer and only touch the socket when it is full; an
                // await per value would cost more than the value.
                importer.StartRow();
                foreach (var writer in writers)
                {
                    writer.Write(importer, row);
                }
                if (sequenced)
                {
                    importer.Write(++_sequence, NpgsqlDbType.Bigint);
                }
            }
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw Failure($"writing into staging table {_staging} failed", e);
        }
    }

    /// <summary>Opens the unit's connection and transaction, creates its staging table and starts the COPY.</summary>
    private async Task<NpgsqlBinaryImporter> StartUnitAsync(CancellationToken cancellationToken)
    {
        _staging = _names.Next();
        _sequence = 0;
        _copyConnection = await _data.OpenConnectionAsync(cancellationToken);
        _copyTransaction = await _copyConnection.BeginTransactionAsync(cancellationToken);
        var columns = _target.Writers.Select(w => $"{TableName.Quote(w.Column.Name)} {w.Column.Declared}").ToList();
        if (_mode == PostgresWriteMode.Upsert)
        {
            columns.Add($"{TableName.Quote(TargetTable.SequenceColumn)} bigint");
        }
        // Prepared units must survive a crash of the server too, whatever its default: synchronous_commit on.
        await ExecuteAsync(_copyConnection, $"SET LOCAL synchronous_commit = on; CREATE TABLE {StagingSql(_staging)} ({string.Join(", ", columns)})", cancellationToken);
        string copied = _mode == PostgresWriteMode.Upsert ? $"{_columns}, {TableName.Quote(TargetTable.SequenceColumn)}" : _columns;
        _importer = await _copyConnection.BeginBinaryImportAsync($"COPY {StagingSql(_staging)} ({copied}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        return _importer;
    }

    /// <summary>Finishes the COPY and commits the staging table; its name is the token. A unit without rows has no
    /// table, and its token (empty) commits nothing.</summary>
    public async ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        if (_importer is null)
        {
            return new PreparedOutput("", []);
        }
        string staging = _staging!;
        ulong rows;
        try
        {
            rows = await _importer.CompleteAsync(cancellationToken);
            await _importer.DisposeAsync();
            _importer = null;
            await _copyTransaction!.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw Failure($"finishing staging table {staging} failed", e);
        }
        finally
        {
            await CloseUnitAsync();
        }
        return new PreparedOutput(staging, [$"{_target} (+{rows:N0} rows staged in {staging})"]);
    }

    /// <summary>Publishes a prepared unit, once: see the class summary. Transient failures (a broken connection, a
    /// server restart) are tried again as the pipeline's <c>resilience.retry</c> says: committing is idempotent, so a
    /// commit whose answer was lost is found done by the next try.</summary>
    public async ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length == 0)
        {
            return;
        }
        var retry = _resilience.Retry;
        var delay = retry.Delay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await CommitOnceAsync(token, cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < retry.Attempts && ConnectionText.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = retry.Jitter ? delay * (0.5 + Random.Shared.NextDouble()) : delay;
                await Task.Delay(wait < retry.MaxDelay ? wait : retry.MaxDelay, cancellationToken);
                delay *= 2;
            }
            catch (Exception e) when (IsDatabaseFailure(e))
            {
                throw Failure($"committing staging table {token} into {_target} failed", e);
            }
        }
    }

    private async Task CommitOnceAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SET LOCAL synchronous_commit = on", cancellationToken);
        // The marker first: its primary key makes a second commit of the token (even a concurrent one) find it.
        await using var mark = new NpgsqlCommand(
            $"INSERT INTO {_target.MarkersSql} (pipeline, sink, token) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection, transaction);
        mark.Parameters.Add(new NpgsqlParameter { Value = _pipeline });
        mark.Parameters.Add(new NpgsqlParameter { Value = _stage });
        mark.Parameters.Add(new NpgsqlParameter { Value = token });
        bool first = await mark.ExecuteNonQueryAsync(cancellationToken) == 1;
        bool staged = await StagingExistsAsync(connection, token, cancellationToken);
        long moved = 0;
        if (first)
        {
            if (!staged)
            {
                throw new PostgresSinkException(
                    $"postgres sink '{_stage}': cannot publish staging table {token}: it is gone and no commit marker says it was published, so its rows are lost " +
                    $"(was it dropped by hand?). To go on without them, mark it published: INSERT INTO {_target.MarkersSql} (pipeline, sink, token) VALUES " +
                    $"('{_pipeline.Replace("'", "''", StringComparison.Ordinal)}', '{_stage.Replace("'", "''", StringComparison.Ordinal)}', '{token}')");
            }
            moved = await ExecuteAsync(connection, MoveSql(token), cancellationToken);
            // Only the newest token of a run can be committed again (a resumed run commits its last stored
            // checkpoint's), so the run's older markers are no longer needed: one marker per run stays.
            if (_names.RunPrefixOf(token) is { } run)
            {
                await using var prune = new NpgsqlCommand(
                    $"DELETE FROM {_target.MarkersSql} WHERE pipeline = $1 AND sink = $2 AND token <> $3 AND left(token, length($4)) = $4", connection, transaction);
                prune.Parameters.Add(new NpgsqlParameter { Value = _pipeline });
                prune.Parameters.Add(new NpgsqlParameter { Value = _stage });
                prune.Parameters.Add(new NpgsqlParameter { Value = token });
                prune.Parameters.Add(new NpgsqlParameter { Value = run });
                await prune.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        if (staged)
        {
            await ExecuteAsync(connection, $"DROP TABLE {StagingSql(token)}", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (first)
        {
            Interlocked.Add(ref _publishedRows, moved);
            Interlocked.Increment(ref _commits);
        }
    }

    /// <summary>Moves a staging table's rows into the target. An upsert keeps the last record of each key in the unit
    /// (DISTINCT ON by key, newest sequence first), so ON CONFLICT never meets a key twice in one statement.</summary>
    private string MoveSql(string staging)
    {
        if (_mode == PostgresWriteMode.Append)
        {
            return $"INSERT INTO {_target.Sql} ({_columns}) SELECT {_columns} FROM {StagingSql(staging)}";
        }
        string key = string.Join(", ", _target.Key.Select(TableName.Quote));
        var others = _target.Writers.Select(w => w.Column.Name).Where(c => !_target.Key.Contains(c)).Select(TableName.Quote).ToList();
        string onConflict = others.Count == 0
            ? "DO NOTHING"
            : "DO UPDATE SET " + string.Join(", ", others.Select(c => $"{c} = EXCLUDED.{c}"));
        return $"INSERT INTO {_target.Sql} ({_columns}) SELECT DISTINCT ON ({key}) {_columns} FROM {StagingSql(staging)} " +
            $"ORDER BY {key}, {TableName.Quote(TargetTable.SequenceColumn)} DESC ON CONFLICT ({key}) {onConflict}";
    }

    /// <summary>Drops the staging tables of <paramref name="runId"/> that no marker names (the engine has published that
    /// run's last checkpoint before it asks: what is left was never published).</summary>
    public async ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            await DropUnpublishedAsync(_names.ForRun(runId), cancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw Failure($"removing the unpublished staging tables of run {runId} failed", e);
        }
    }

    /// <summary>Cancels the unit being written and drops this sink's staging tables that were not published: the run
    /// failed before a checkpoint stored them. Never throws: what it cannot drop now, the next run drops.</summary>
    public async ValueTask AbortAsync()
    {
        await CloseUnitAsync();
        try
        {
            await DropUnpublishedAsync(_names.AttemptPrefix, CancellationToken.None);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            // The server is unreachable: the next run of the pipeline discards these (DiscardAbandonedAsync).
        }
    }

    private async Task DropUnpublishedAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken);
        var tables = new List<string>();
        await using (var find = new NpgsqlCommand($"""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = 'r' AND left(c.relname, length($2)) = $2
              AND NOT EXISTS (SELECT 1 FROM {_target.MarkersSql} m WHERE m.pipeline = $3 AND m.sink = $4 AND m.token = c.relname)
            """, connection))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = _target.Schema });
            find.Parameters.Add(new NpgsqlParameter { Value = prefix });
            find.Parameters.Add(new NpgsqlParameter { Value = _pipeline });
            find.Parameters.Add(new NpgsqlParameter { Value = _stage });
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (string table in tables)
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {StagingSql(table)}", cancellationToken);
        }
    }

    private async Task<bool> StagingExistsAsync(NpgsqlConnection connection, string staging, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = StagingSql(staging) });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private string StagingSql(string staging) => $"{TableName.Quote(_target.Schema)}.{TableName.Quote(staging)}";

    /// <summary>Ends the unit being written without committing it: the COPY is cancelled and its transaction rolled
    /// back, so its staging table never existed.</summary>
    private async Task CloseUnitAsync()
    {
        try
        {
            if (_importer is not null)
            {
                await _importer.DisposeAsync(); // without Complete: cancels the COPY
            }
            if (_copyTransaction is not null)
            {
                await _copyTransaction.DisposeAsync(); // rolls back when not committed
            }
            if (_copyConnection is not null)
            {
                await _copyConnection.DisposeAsync();
            }
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            // The connection is already broken: the server rolls the transaction back.
        }
        finally
        {
            _importer = null;
            _copyTransaction = null;
            _copyConnection = null;
        }
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException
        && e is not PostgresSinkException;

    private PostgresSinkException Failure(string what, Exception e) =>
        new($"postgres sink '{_stage}': {what}: {_connection.Describe(e)}", ConnectionText.ConnectionEnded(e));

    public async ValueTask DisposeAsync()
    {
        await CloseUnitAsync();
        await _data.DisposeAsync();
    }
}

/// <summary>The postgres sink could not do its part of a checkpoint; the message says what, on which table, and the
/// server's reason, in one line and without the password.</summary>
internal sealed class PostgresSinkException(string message, Exception? inner = null) : Exception(message, inner);
