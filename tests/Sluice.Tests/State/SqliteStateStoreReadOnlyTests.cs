using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.State;

/// <summary><see cref="SqliteStateStore.OpenReadOnlyAsync"/>: reads what the store wrote and never writes itself.</summary>
public sealed class SqliteStateStoreReadOnlyTests
{
    [Fact]
    public async Task A_read_only_store_reads_the_history_leaves_the_file_as_it_was_and_refuses_writes()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        string runId;
        await using (var store = await SqliteStateStore.OpenAsync(path))
        {
            runId = (await store.StartRunAsync("p")).Id;
            await store.FinishRunAsync(runId, RunState.Succeeded, new RunTotals(3, 2, 1, 0), null);
        }
        byte[] before = await File.ReadAllBytesAsync(path);

        await using (var reader = await SqliteStateStore.OpenReadOnlyAsync(path))
        {
            RunRecord run = Assert.Single(await reader.ListRunsAsync(null, 10));
            Assert.Equal((runId, 3L, 2L), (run.Id, run.RecordsRead, run.RecordsWritten));
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => reader.StartRunAsync("p"));
            Assert.Contains("opened read-only", refused.Message);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_folder_and_a_file_that_is_not_a_database_are_refused_naming_the_path()
    {
        using var dir = new TempDir();
        string notes = dir.Write("notes.txt", new string('x', 300));

        var folder = await Assert.ThrowsAsync<StateFileException>(() => SqliteStateStore.OpenReadOnlyAsync(dir.Path));
        var garbage = await Assert.ThrowsAsync<StateFileException>(() => SqliteStateStore.OpenReadOnlyAsync(notes));
        var garbageForWriting = await Assert.ThrowsAsync<StateFileException>(() => SqliteStateStore.OpenAsync(notes));

        Assert.Equal((StateFileProblem.Unusable, $"state path {dir.Path} is a folder, not a file: give the state file's own path, e.g. {dir.File("state.db")}"),
            (folder.Problem, folder.Message));
        Assert.Equal(StateFileProblem.Damaged, garbage.Problem);
        Assert.StartsWith($"state file {notes} is not a SQLite database", garbage.Message);
        Assert.Equal(garbage.Message, garbageForWriting.Message);
        Assert.Equal(new string('x', 300), await File.ReadAllTextAsync(notes));
    }

    /// <summary>Migrations are applied by their own version, so a file can have the highest and lack one below it
    /// (two lines of work merged in either order): reading it must say so, not fail on a missing column later.</summary>
    [Fact]
    public async Task A_file_missing_a_migration_below_its_highest_is_refused_for_reading()
    {
        using var dir = new TempDir();
        string path = dir.File("state.db");
        await using (await SqliteStateStore.OpenAsync(path)) { }
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM schema_version WHERE version = {SqliteMigrations.All[^2].Version}";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var e = await Assert.ThrowsAsync<StateFileException>(() => SqliteStateStore.OpenReadOnlyAsync(path));

        Assert.Equal(StateFileProblem.Incompatible, e.Problem);
        Assert.Contains("run a pipeline (sluice run) or a purge with this state file once to upgrade it", e.Message);
    }
}
