using Microsoft.Data.Sqlite;

namespace Sluice.State.Sqlite;

/// <summary>
/// The state file's schema, as an ordered list of migrations. A migration, once released, is never edited:
/// a change to the schema is a new migration at the end of the list.
/// </summary>
internal static class SqliteMigrations
{
    internal sealed record Migration(int Version, string Sql);

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, """
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                pipeline TEXT NOT NULL,
                kind TEXT NOT NULL,
                parent_run_id TEXT REFERENCES runs(id),
                state TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                records_read INTEGER NOT NULL DEFAULT 0,
                records_written INTEGER NOT NULL DEFAULT 0,
                filtered INTEGER NOT NULL DEFAULT 0,
                dead_lettered INTEGER NOT NULL DEFAULT 0,
                error TEXT
            );
            CREATE INDEX runs_by_start ON runs (started_at, id);
            CREATE INDEX runs_by_pipeline ON runs (pipeline, started_at, id);

            CREATE TABLE run_stages (
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                stage TEXT NOT NULL,
                kind TEXT NOT NULL,
                records_in INTEGER NOT NULL,
                records_out INTEGER NOT NULL,
                filtered INTEGER NOT NULL,
                dead_lettered INTEGER NOT NULL,
                busy_ms INTEGER NOT NULL,
                PRIMARY KEY (run_id, stage)
            );

            CREATE TABLE dead_letters (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                pipeline TEXT NOT NULL,
                stage TEXT NOT NULL,
                file TEXT NOT NULL,
                line INTEGER NOT NULL,
                byte_offset INTEGER NOT NULL,
                reason TEXT NOT NULL,
                field TEXT,
                rule TEXT,
                message TEXT NOT NULL,
                original BLOB NOT NULL,
                created_at TEXT NOT NULL
            );
            -- Listing is newest first (id desc), so each index ends in id and a limited listing reads no more
            -- rows than it returns. Reason and stage have few values and are checked on the rows a run or a
            -- pipeline index yields: one index fewer to maintain on every insert.
            CREATE INDEX dead_letters_by_run ON dead_letters (run_id, id);
            CREATE INDEX dead_letters_by_pipeline ON dead_letters (pipeline, id);
            """),
        // Exactly-once: leases, checkpoints and the files they published or consumed.
        new(2, """
            -- One row per pipeline that was ever leased. A released lease is expired, not deleted, so the next
            -- holder's epoch is still higher than every earlier one.
            CREATE TABLE leases (
                pipeline TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                expires_at TEXT NOT NULL
            );

            -- source_positions and sink_tokens: JSON objects {stage: text}; counts: JSON array of
            -- {stage, kind, in, out, filtered, dead_lettered, busy_ms}. Operator state is binary and can be large,
            -- so it has its own table of blobs rather than base64 inside JSON.
            CREATE TABLE checkpoints (
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                id INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                duration_ms INTEGER NOT NULL,
                records_committed INTEGER NOT NULL,
                source_positions TEXT NOT NULL,
                sink_tokens TEXT NOT NULL,
                counts TEXT NOT NULL,
                PRIMARY KEY (run_id, id)
            );

            -- Only the latest checkpoint of a run keeps its rows here (see SqliteCheckpoints).
            CREATE TABLE checkpoint_state (
                run_id TEXT NOT NULL,
                checkpoint_id INTEGER NOT NULL,
                stage TEXT NOT NULL,
                state BLOB NOT NULL,
                PRIMARY KEY (run_id, checkpoint_id, stage),
                FOREIGN KEY (run_id, checkpoint_id) REFERENCES checkpoints (run_id, id) ON DELETE CASCADE
            );

            CREATE TABLE committed_files (
                run_id TEXT NOT NULL,
                checkpoint_id INTEGER NOT NULL,
                stage TEXT NOT NULL,
                path TEXT NOT NULL,
                PRIMARY KEY (run_id, checkpoint_id, stage, path),
                FOREIGN KEY (run_id, checkpoint_id) REFERENCES checkpoints (run_id, id) ON DELETE CASCADE
            );

            -- No foreign key: what a pipeline has consumed outlives the run that consumed it (incremental loads).
            CREATE TABLE consumed_files (
                pipeline TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                run_id TEXT NOT NULL,
                checkpoint_id INTEGER NOT NULL,
                PRIMARY KEY (pipeline, path, size, content_hash)
            );
            CREATE INDEX consumed_files_by_checkpoint ON consumed_files (run_id, checkpoint_id);
            """),
        // Expectations (`expect:`): how each fared in a run, saved when the run ends.
        new(3, """
            CREATE TABLE run_expectations (
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                expectation TEXT NOT NULL,
                measured TEXT NOT NULL,
                passed INTEGER NOT NULL,
                severity TEXT NOT NULL,
                PRIMARY KEY (run_id, ordinal)
            );
            """),
        // Resilience events per stage (retries, timeouts, circuit openings and closings), for `sluice show`.
        new(4, """
            ALTER TABLE run_stages ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE run_stages ADD COLUMN timeouts INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE run_stages ADD COLUMN circuit_openings INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE run_stages ADD COLUMN circuit_closings INTEGER NOT NULL DEFAULT 0;
            """),
        // Dead-letter replay: how many times each record has failed (1 when first dead-lettered).
        new(5, """
            ALTER TABLE dead_letters ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
            """),
        // Files that grow: where a consumed file's last record ended, so a later run reads on from there (NULL for
        // the files recorded before). What a run said besides its counts (files it skipped, a file changed in place), for `show`.
        new(6, """
            ALTER TABLE consumed_files ADD COLUMN end_offset INTEGER;
            ALTER TABLE consumed_files ADD COLUMN end_line INTEGER;
            CREATE INDEX consumed_files_by_path ON consumed_files (pipeline, path);

            CREATE TABLE run_notes (
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                stage TEXT NOT NULL,
                warning INTEGER NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY (run_id, ordinal)
            );
            """),
        // The stage graph, so that `sluice show` can reconcile each sink (in = out + dead + filtered per path):
        // each stage's inputs as a JSON array of stage names; '[]' for a source and for runs stored before this.
        new(7, """
            ALTER TABLE run_stages ADD COLUMN inputs TEXT NOT NULL DEFAULT '[]';
            """),
        // A dead letter says where its record came from in its source's own words, not a file's: the input (the file
        // column, renamed: a path, a stream's key, a table) and the position in it as text (a line number, an entry
        // id, a cursor value). A file's line becomes its position; byte offsets are no longer kept.
        new(8, """
            ALTER TABLE dead_letters RENAME COLUMN file TO input;
            ALTER TABLE dead_letters ADD COLUMN position TEXT NOT NULL DEFAULT '';
            UPDATE dead_letters SET position = CAST(line AS TEXT);
            ALTER TABLE dead_letters DROP COLUMN line;
            ALTER TABLE dead_letters DROP COLUMN byte_offset;
            """),
        // What sources record of their inputs for later runs, opaque to the store: a file source's consumed files
        // become marks keyed by the file (the newest per file, as before) with their size, hash and end as JSON.
        new(9, """
            CREATE TABLE input_marks (
                pipeline TEXT NOT NULL,
                input TEXT NOT NULL,
                value TEXT NOT NULL,
                run_id TEXT NOT NULL,
                checkpoint_id INTEGER NOT NULL,
                PRIMARY KEY (pipeline, input)
            );
            CREATE INDEX input_marks_by_checkpoint ON input_marks (run_id, checkpoint_id);
            INSERT OR REPLACE INTO input_marks (pipeline, input, value, run_id, checkpoint_id)
            SELECT pipeline, path,
                json_object('size', size, 'hash', content_hash, 'end_offset', end_offset, 'end_line', end_line),
                run_id, checkpoint_id
            FROM consumed_files ORDER BY rowid;
            DROP TABLE consumed_files;
            """),
        // Flows: a flow run is a run of kind 'flow' (its pipeline column holds the flow's name) with the flow's own
        // columns beside it; its tasks' instances each have a row (instance -1: the task itself; 0 … n-1: its mapped
        // instances) and every state change an event. The cache outlives the runs that filled it; tag slots are held
        // by live processes and expire when one dies.
        new(10, """
            CREATE TABLE flow_runs (
                run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
                flow TEXT NOT NULL,
                partition_key TEXT NOT NULL DEFAULT '',
                parameters TEXT NOT NULL,
                definition_hash TEXT NOT NULL,
                scheduled_for TEXT,
                cancel_requested INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX flow_runs_by_partition ON flow_runs (flow, partition_key);
            CREATE UNIQUE INDEX flow_runs_by_slot ON flow_runs (flow, scheduled_for) WHERE scheduled_for IS NOT NULL;

            CREATE TABLE task_runs (
                flow_run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                task TEXT NOT NULL,
                instance INTEGER NOT NULL,
                item TEXT,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                started_at TEXT,
                ended_at TEXT,
                cache_key TEXT,
                pipeline_run_id TEXT,
                result TEXT,
                output TEXT,
                error TEXT,
                PRIMARY KEY (flow_run_id, task, instance)
            );

            CREATE TABLE task_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                flow_run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                task TEXT NOT NULL,
                instance INTEGER NOT NULL,
                state TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                at TEXT NOT NULL,
                message TEXT
            );
            CREATE INDEX task_events_by_run ON task_events (flow_run_id, id);

            CREATE TABLE task_cache (
                cache_key TEXT PRIMARY KEY,
                flow TEXT NOT NULL,
                task TEXT NOT NULL,
                result TEXT NOT NULL,
                flow_run_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT
            );

            CREATE TABLE tag_slots (
                tag TEXT NOT NULL,
                holder TEXT NOT NULL,
                slot TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                PRIMARY KEY (tag, holder, slot)
            );
            """),
        // Lineage for the dashboard: each pipeline's datasets as its newest run started it (no reference to runs: it
        // outlives a run's history), as JSON arrays of {stage, namespace, name, fields, columns}.
        new(11, """
            CREATE TABLE pipeline_lineage (
                pipeline TEXT PRIMARY KEY,
                run_id TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                inputs TEXT NOT NULL,
                outputs TEXT NOT NULL
            );
            """),
        // Freshness and SLA misses (see Alerts/AlertStore): one row per miss, its key unique so that restarted or
        // concurrent servers record and send it once; claimed_until is a sender's hold on the next request.
        new(12, """
            CREATE TABLE alerts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subject_kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                kind TEXT NOT NULL,
                alert_key TEXT NOT NULL UNIQUE,
                expected TEXT NOT NULL,
                due_at TEXT NOT NULL,
                observed_at TEXT,
                detected_at TEXT NOT NULL,
                detail TEXT NOT NULL,
                sent_at TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                next_attempt_at TEXT,
                claimed_until TEXT
            );
            CREATE INDEX alerts_by_subject ON alerts (subject, id);
            CREATE INDEX alerts_unsent ON alerts (next_attempt_at) WHERE sent_at IS NULL;
            """),
        // The dashboard's filters, each answered newest first from an index that ends in the listing's order, so a page
        // reads about as many rows as it shows in a state file of a million letters and 100,000 runs: runs by state or
        // kind (started_at, id); letters by reason or field, and by reason or stage within a pipeline (the browser's
        // usual filters, whose counts then read only the index). A stage alone is checked on the rows the id order
        // yields: stage names belong to one pipeline. Each letter insert maintains four more indexes (docs/benchmarks.md).
        new(13, """
            CREATE INDEX runs_by_state ON runs (state, started_at, id);
            CREATE INDEX runs_by_kind ON runs (kind, started_at, id);
            CREATE INDEX dead_letters_by_reason ON dead_letters (reason, id);
            CREATE INDEX dead_letters_by_field ON dead_letters (field, id) WHERE field IS NOT NULL;
            CREATE INDEX dead_letters_by_pipeline_reason ON dead_letters (pipeline, reason, id);
            CREATE INDEX dead_letters_by_pipeline_stage ON dead_letters (pipeline, stage, id);
            """),
        // A pipeline's letters of a time range (the dead-letter browser's since/until): without it the page walked
        // the pipeline's letters from the newest back to the range, 385 ms for a day in June of a million letters;
        // with it 30 ms. The range's letters are sorted by id, so a range of a year costs 140 ms (docs/benchmarks.md).
        new(14, """
            CREATE INDEX dead_letters_by_pipeline_time ON dead_letters (pipeline, created_at);
            """),
        // A flow run's task graph (each task's kind, whether it is mapped, and the tasks it waits for), as JSON written
        // when the run starts or resumes: task_runs has a row per task but not its dependencies, and the flow file may
        // have changed or be elsewhere, so without it the dashboard could not draw the graph the run ran. Null for runs
        // recorded before it (the dashboard says so rather than guessing).
        new(15, """
            ALTER TABLE flow_runs ADD COLUMN task_graph TEXT;
            """),
    ];

    public static int Latest => All[^1].Version;

    /// <summary>Brings the file's schema up to <see cref="Latest"/>, each migration in its own transaction. Each is
    /// applied unless its own version is recorded, not by comparing with the highest one: migrations are numbered
    /// when they are written, and two lines of work may merge in either order (a file that has 7 still gets 6).</summary>
    /// <exception cref="StateFileException">The file was written by a newer Sluice.</exception>
    public static async Task ApplyAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var migration in All)
        {
            // BEGIN IMMEDIATE takes the write lock first, so the version read below cannot go stale:
            // when two processes open a new file together, the second sees the first one's work and skips it.
            await using var transaction = connection.BeginTransaction(deferred: false);
            int current = await CurrentVersionAsync(connection, transaction, cancellationToken);
            if (current > Latest)
            {
                throw Newer(path, current);
            }
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken))
            {
                continue;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = migration.Sql;
            await command.ExecuteNonQueryAsync(cancellationToken);

            command.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $at)";
            command.Parameters.AddWithValue("$version", migration.Version);
            command.Parameters.AddWithValue("$at", SqliteValues.Timestamp(DateTimeOffset.UtcNow));
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task<bool> IsAppliedAsync(SqliteConnection connection, SqliteTransaction transaction, int version,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM schema_version WHERE version = $version";
        command.Parameters.AddWithValue("$version", version);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Checks, without writing, that the file's schema is <see cref="Latest"/>, the one this build's queries
    /// read. An older schema is not upgraded here: reading history must not change the file (it may be read-only, or
    /// in use by an older Sluice).</summary>
    /// <exception cref="StateFileException">Not a state file, or a schema other than <see cref="Latest"/>.</exception>
    public static async Task CheckReadableAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(*) FILTER (WHERE name = 'schema_version') FROM sqlite_master WHERE type = 'table'";
        long tables, versionTable;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (tables, versionTable) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        if (tables == 0)
        {
            throw new StateFileException(path, StateFileProblem.Incompatible,
                $"state file {path} is an empty database, with no history yet: run a pipeline with it first");
        }
        if (versionTable == 0)
        {
            throw new StateFileException(path, StateFileProblem.Damaged,
                $"{path} is a SQLite database but not a Sluice state file (it has no schema_version table): give the path of the state file");
        }
        int current = await CurrentVersionAsync(connection, null, cancellationToken);
        if (current > Latest)
            throw Newer(path, current);
        // Each migration must be there, not only the highest (they are applied by their own version).
        command.CommandText = "SELECT count(*) FROM schema_version WHERE version <= $latest";
        command.Parameters.AddWithValue("$latest", Latest);
        long applied = System.Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (current < Latest || applied < All.Count)
        {
            throw new StateFileException(path, StateFileProblem.Incompatible,
                $"state file {path} lacks schema changes this Sluice reads (it has {applied} of its {All.Count}, up to version {current}), and reading history never " +
                "upgrades it: run a pipeline (sluice run) or a purge with this state file once to upgrade it, or use the Sluice that wrote it");
        }
    }

    private static StateFileException Newer(string path, int current) => new(path, StateFileProblem.Incompatible,
        $"state file {path} has schema version {current} but this Sluice knows up to {Latest}; upgrade Sluice");

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
