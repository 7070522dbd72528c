using Sluice.Connectors.Files;
using Microsoft.Data.Sqlite;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

public class SqliteStateStoreFileTests
{
    [Fact]
    public async Task Open_creates_missing_folders_and_the_file_in_wal_mode()
    {
        using var dir = new TempDir();
        string path = dir.File(".sluice/nested/state.db");

        await using (await SqliteStateStore.OpenAsync(path))
        {
            Assert.True(File.Exists(path));
            Assert.Equal("wal", await ScalarAsync(path, "PRAGMA journal_mode"));
        }
    }

    [Fact]
    public async Task Reopening_keeps_the_data_and_applies_no_migration_twice()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        RunRecord run;
        await using (var store = await SqliteStateStore.OpenAsync(path))
        {
            run = await store.StartRunAsync("p");
            await store.SaveStageCountsAsync(run.Id, [new("source", StageKind.Source, 0, 3, 0, 1, TimeSpan.FromMilliseconds(2))]);
            await store.AddDeadLettersAsync(run.Id, "p", [
                new("source", OriginViews.FileOrigin("a.csv", 2, new byte[] { 0xFF }), DeadLetterReason.Parse, null, null, "bad"),
            ]);
            await store.FinishRunAsync(run.Id, RunState.Succeeded, new RunTotals(3, 2, 0, 1), null);
        }

        await using (var store = await SqliteStateStore.OpenAsync(path))
        {
            var reopened = await store.FindRunAsync(run.Id);
            Assert.Equal(RunState.Succeeded, reopened?.State);
            Assert.Equal(new RunTotals(3, 2, 0, 1), new RunTotals(reopened!.RecordsRead, reopened.RecordsWritten, reopened.Filtered, reopened.DeadLettered));
            Assert.Equal(3, Assert.Single(await store.GetStageCountsAsync(run.Id)).Out);
            Assert.Equal([0xFF], Assert.Single(await store.ListDeadLettersAsync(new())).Original);
        }
        await using (await SqliteStateStore.OpenAsync(path)) { }

        Assert.Equal(
            string.Join(",", SqliteMigrations.All.Select(m => m.Version)),
            await ScalarAsync(path, "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"));
    }

    [Fact]
    public async Task A_version_1_file_is_migrated_once_and_keeps_its_runs()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        // What Sluice wrote before checkpoints existed: migration 1 only, with a run still marked running.
        await ScalarAsync(path, $"""
            CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
            {SqliteMigrations.All[0].Sql}
            INSERT INTO schema_version VALUES (1, '2025-01-01T00:00:00.0000000+00:00');
            INSERT INTO runs (id, pipeline, kind, state, started_at) VALUES ('20250101-000000-abcdef', 'p', 'pipeline', 'running', '2025-01-01T00:00:00.0000000+00:00');
            INSERT INTO dead_letters (run_id, pipeline, stage, file, line, byte_offset, reason, message, original, created_at)
            VALUES ('20250101-000000-abcdef', 'p', 'source', 'a.csv', 2, 4, 'parse', 'bad', x'FF', '2025-01-01T00:00:00.0000000+00:00');
            """);

        await using (var store = await SqliteStateStore.OpenAsync(path))
        {
            Assert.Equal("20250101-000000-abcdef", (await store.FindUnfinishedRunAsync("p"))?.Id);
            Assert.Empty(await store.ListCheckpointsAsync("20250101-000000-abcdef"));
            var lease = await store.AcquireLeaseAsync("p", "me", TimeSpan.FromMinutes(1));
            Assert.Equal(1, lease.Epoch);
            var letter = (await store.ListDeadLettersAsync(new DeadLetterQuery("p"))).Single();
            Assert.Equal(1, letter.Attempts); // migration 5's default
            Assert.Equal(("a.csv", "2", "FF"), (letter.Input, letter.Position, Convert.ToHexString(letter.Original))); // migration 8: file and line
        }
        await using (await SqliteStateStore.OpenAsync(path)) { }

        Assert.Equal(string.Join(",", SqliteMigrations.All.Select(m => m.Version)), await ScalarAsync(path, "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"));
        Assert.Equal("checkpoint_state,checkpoints,committed_files,input_marks,leases", await ScalarAsync(path, """
            SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name IN ('leases', 'checkpoints', 'checkpoint_state', 'committed_files', 'consumed_files', 'input_marks') ORDER BY name)
            """));
    }

    [Fact]
    public async Task Consumed_files_of_a_version_8_file_become_the_marks_the_file_sources_read()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        var before = SqliteMigrations.All.Where(m => m.Version <= 8).ToList();
        await ScalarAsync(path, $"""
            CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
            {string.Join("\n", before.Select(m => m.Sql))}
            {string.Join("\n", before.Select(m => $"INSERT INTO schema_version VALUES ({m.Version}, '2025-01-01T00:00:00.0000000+00:00');"))}
            INSERT INTO consumed_files (pipeline, path, size, content_hash, run_id, checkpoint_id, end_offset, end_line)
            VALUES ('p', '/in/a.csv', 40, 'xxh128:aa', 'r1', 3, 40, 5), ('p', '/in/b.csv', 7, 'xxh128:bb', 'r1', 3, NULL, NULL);
            """);

        await using var store = await SqliteStateStore.OpenAsync(path);

        Assert.Equal(
            [new ConsumedFile("/in/a.csv", 40, "xxh128:aa", 40, 5), new ConsumedFile("/in/b.csv", 7, "xxh128:bb")],
            (await store.ListInputMarksAsync("p")).Select(ConsumedFile.FromMark));
    }

    [Fact]
    public async Task A_migration_missing_below_the_highest_applied_one_is_still_applied()
    {
        // Migrations are numbered when written and lines of work merge in any order: a file may have 7 and not 5.
        using var dir = new TempDir();
        string path = dir.File("state.db");
        await using (await SqliteStateStore.OpenAsync(path)) { }
        await ScalarAsync(path, "ALTER TABLE dead_letters DROP COLUMN attempts; DELETE FROM schema_version WHERE version = 5");

        await using (await SqliteStateStore.OpenAsync(path)) { }

        Assert.Equal("1", await ScalarAsync(path, "SELECT count(*) FROM pragma_table_info('dead_letters') WHERE name = 'attempts'"));
        Assert.Equal(string.Join(",", SqliteMigrations.All.Select(m => m.Version)),
            await ScalarAsync(path, "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"));
    }

    [Fact]
    public async Task A_file_from_a_newer_Sluice_is_refused_with_advice()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        await using (await SqliteStateStore.OpenAsync(path)) { }
        int newer = SqliteMigrations.Latest + 1;
        await ScalarAsync(path, $"INSERT INTO schema_version (version, applied_at) VALUES ({newer}, '2030-01-01T00:00:00.0000000+00:00')");

        var error = await Assert.ThrowsAsync<StateFileException>(() => SqliteStateStore.OpenAsync(path));

        Assert.Equal(StateFileProblem.Incompatible, error.Problem);
        Assert.Equal($"state file {path} has schema version {newer} but this Sluice knows up to {SqliteMigrations.Latest}; upgrade Sluice", error.Message);
        AssertNotOpen(path); // the refused open let go of the file too
    }

    [Fact]
    public async Task After_dispose_nothing_holds_the_file_and_the_folder_can_be_deleted()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sluice-test-" + Guid.NewGuid().ToString("N")[..12]);
        string path = Path.Combine(folder, "state.db");
        var store = await SqliteStateStore.OpenAsync(path);
        var run = await store.StartRunAsync("p");
        await store.AddDeadLettersAsync(run.Id, "p", [
            new("s", OriginViews.FileOrigin("a.csv", 1, new byte[] { 1 }), DeadLetterReason.Parse, null, null, "m"),
        ]);
        Assert.NotNull(await store.FindRunAsync(run.Id));

        await store.DisposeAsync();

        AssertNotOpen(path);
        Assert.False(File.Exists(path + "-wal")); // the last connection to close checkpoints and removes the log
        Directory.Delete(folder, recursive: true);
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.StartRunAsync("p"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ListRunsAsync());
    }

    /// <summary>Fails if this process has the file open (Linux: a file can be deleted while open, so deleting
    /// the folder alone would prove nothing there).</summary>
    private static void AssertNotOpen(string path)
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return;
        }
        var open = new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget; } catch (IOException) { return null; } })
            .Where(target => target is not null && target.StartsWith(path, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(open);
    }

    private static async Task<string?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
