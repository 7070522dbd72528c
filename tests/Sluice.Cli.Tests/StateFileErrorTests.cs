using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Sluice.Cli.Tests.TestSupport;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Cli.Tests;

/// <summary>
/// A state file that cannot be used as it is — a folder, not a database, damaged, of another schema version, locked,
/// read-only — gives one <c>error:</c> line naming the file and what to do, with its documented exit code, never a raw
/// SQLite message. The commands that only read history open the state read-only: they work on a read-only file and
/// in a read-only folder, and never migrate it.
/// </summary>
public sealed class StateFileErrorTests : IAsyncLifetime
{
    private const string Pipeline = """
        name: orders
        source: { type: csv, path: data/*.csv }
        sink: { type: jsonl, path: out }
        """;

    private readonly TempDir _dir = new();
    private string _state = "";
    private string _pipeline = "";
    private string _runId = "";
    private long _letterId;

    public async Task InitializeAsync()
    {
        _pipeline = _dir.Write("pipeline.yaml", Pipeline);
        _dir.Write("data/a.csv", "id\n1\n");
        _state = _dir.File("state/state.db");
        await using SqliteStateStore store = await SqliteStateStore.OpenAsync(_state);
        RunRecord run = await store.StartRunAsync("orders");
        await store.AddDeadLettersAsync(run.Id, "orders",
            [new("read", OriginViews.FileOrigin("/data/a.csv", 3, "x\n"u8.ToArray()), DeadLetterReason.Parse, null, "field_count", "bad")]);
        await store.FinishRunAsync(run.Id, RunState.Succeeded, new RunTotals(2, 1, 0, 1), null);
        _runId = run.Id;
        _letterId = (await store.ListDeadLettersAsync(new DeadLetterQuery())).Single().Id;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Every command that opens the state, with <c>--state</c> last.</summary>
    private string[][] Commands(string state) =>
    [
        ["runs", "--state", state],
        ["show", _runId, "--state", state],
        ["dlq", "list", "--state", state],
        ["dlq", "show", _letterId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state],
        ["dlq", "purge", "--pipeline", "orders", "--state", state],
        ["dlq", "replay", "--pipeline", _pipeline, "--state", state],
        ["run", _pipeline, "--state", state],
    ];

    private static void AssertOneError(CliResult result, int exitCode, string path, string says)
    {
        Assert.Equal("", result.Stdout);
        Assert.Equal(exitCode, result.ExitCode);
        string[] lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(path, lines[0]);
        Assert.Contains(says, lines[0]);
        Assert.DoesNotContain("SQLite Error", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }

    [Fact]
    public async Task A_state_path_that_is_a_folder_exits_2_for_every_command()
    {
        string folder = Directory.CreateDirectory(_dir.File("a-folder")).FullName;

        foreach (string[] args in Commands(folder))
        {
            CliResult result = await TestSupport.Sluice.RunAsync(args);
            AssertOneError(result, ExitCodes.Invalid, folder, "is a folder, not a file");
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder)); // nothing created in it
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_exits_1_for_every_command_and_is_left_alone()
    {
        string path = _dir.Write("notes.txt", "these are my notes, not a database; " + new string('x', 200));

        foreach (string[] args in Commands(path))
        {
            CliResult result = await TestSupport.Sluice.RunAsync(args);
            AssertOneError(result, ExitCodes.RunFailed, path, "is not a SQLite database");
        }
        Assert.StartsWith("these are my notes", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_damaged_state_file_exits_1_saying_to_restore_it()
    {
        // Page 1 holds the schema: overwrite it after the 100-byte header, keeping the file a SQLite file.
        using (var file = new FileStream(_state, FileMode.Open, FileAccess.Write))
        {
            file.Position = 100;
            file.Write(Enumerable.Repeat((byte)0xA5, 3000).ToArray());
        }

        foreach (string[] args in Commands(_state))
        {
            CliResult result = await TestSupport.Sluice.RunAsync(args);
            AssertOneError(result, ExitCodes.RunFailed, _state, "is damaged: restore it from a backup");
        }
    }

    [Fact]
    public async Task A_state_file_from_a_newer_Sluice_exits_1_for_every_command()
    {
        await ExecuteAsync(_state, "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01')");

        foreach (string[] args in Commands(_state))
        {
            CliResult result = await TestSupport.Sluice.RunAsync(args);
            AssertOneError(result, ExitCodes.RunFailed, _state, "has schema version 99 but this Sluice knows up to");
        }
    }

    [Fact]
    public async Task Reading_history_never_upgrades_an_older_state_file_and_says_how_to()
    {
        // As a Sluice one schema behind leaves it: every migration but the last applied.
        string old = _dir.File("old/state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(old)!);
        await ExecuteAsync(old, "PRAGMA journal_mode = WAL; CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        foreach (var migration in SqliteMigrations.All.SkipLast(1))
            await ExecuteAsync(old, migration.Sql + $"; INSERT INTO schema_version VALUES ({migration.Version}, '2026-01-01')");
        byte[] before = await File.ReadAllBytesAsync(old);

        CliResult result = await TestSupport.Sluice.RunAsync("runs", "--state", old);

        AssertOneError(result, ExitCodes.RunFailed, old, $"lacks schema changes this Sluice reads (it has {SqliteMigrations.All.Count - 1} of its {SqliteMigrations.All.Count}, up to version {SqliteMigrations.All[^2].Version}), and reading history never upgrades it: run a pipeline");
        Assert.Equal(before, await File.ReadAllBytesAsync(old));
        CliResult run = await TestSupport.Sluice.RunAsync("run", _pipeline, "--state", old); // a run upgrades it
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr);
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("runs", "--state", old)).ExitCode);
    }

    [Fact]
    public async Task A_state_file_locked_by_another_process_exits_5_for_a_command_that_writes()
    {
        await using var other = new SqliteConnection($"Data Source={_state};Pooling=False");
        await other.OpenAsync();
        await using SqliteTransaction holding = other.BeginTransaction(deferred: false); // holds the write lock

        CliResult result = await TestSupport.Sluice.RunAsync("dlq", "purge", "--pipeline", "orders", "--yes", "--state", _state);

        AssertOneError(result, ExitCodes.Busy, _state, "is locked by another process: wait for it to finish");
        CliResult reading = await TestSupport.Sluice.RunAsync("runs", "--state", _state); // readers do not wait for a writer (WAL)
        Assert.Equal(ExitCodes.Ok, reading.ExitCode);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // chattr or chmod (see ReadOnlyPath)
    public async Task The_read_only_commands_work_on_a_read_only_state_file_and_run_says_it_cannot_write_it()
    {
        using (new ReadOnlyPath(_state))
        {
            await AssertReadOnlyCommandsWorkAsync();

            CliResult run = await TestSupport.Sluice.RunAsync("run", _pipeline, "--state", _state);
            AssertOneError(run, ExitCodes.Invalid, _state, "is read-only: this command writes to it");
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // chattr or chmod (see ReadOnlyPath)
    public async Task The_read_only_commands_work_in_a_read_only_folder_where_SQLite_cannot_create_its_shm_file()
    {
        string folder = Path.GetDirectoryName(_state)!;
        Assert.False(File.Exists(_state + "-wal")); // the store that wrote it closed cleanly: no -wal, no -shm
        Assert.False(File.Exists(_state + "-shm"));

        using (new ReadOnlyPath(folder))
            await AssertReadOnlyCommandsWorkAsync();

        Assert.Equal(["state.db"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // chattr or chmod (see ReadOnlyPath)
    public async Task A_write_ahead_log_that_cannot_be_read_in_a_read_only_folder_exits_2_saying_what_to_do()
    {
        // A copy of the state taken while a writer had commits in its -wal, without the -shm.
        string copy = _dir.File("copy/state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        await using (var writer = new SqliteConnection($"Data Source={_state};Pooling=False"))
        {
            await writer.OpenAsync();
            await using var command = writer.CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint = 0; UPDATE runs SET error = 'in the log only'";
            await command.ExecuteNonQueryAsync();
            File.Copy(_state, copy);
            File.Copy(_state + "-wal", copy + "-wal");
        }

        using (new ReadOnlyPath(Path.GetDirectoryName(copy)!))
        {
            CliResult result = await TestSupport.Sluice.RunAsync("runs", "--state", copy);
            AssertOneError(result, ExitCodes.Invalid, copy, "-wal) that cannot be read without creating");
        }
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("runs", "--state", copy)).ExitCode); // once writable
    }

    [Fact]
    public async Task A_state_file_under_a_missing_folder_is_no_history_for_reads_and_a_path_under_a_file_is_refused()
    {
        string missing = _dir.File("no-such-folder/state.db");
        string underAFile = Path.Combine(_dir.Write("a-file", "x"), "state.db");

        CliResult runs = await TestSupport.Sluice.RunAsync("runs", "--state", missing);
        CliResult show = await TestSupport.Sluice.RunAsync("dlq", "list", "--state", missing);
        CliResult run = await TestSupport.Sluice.RunAsync("run", _pipeline, "--state", underAFile);

        Assert.Equal((ExitCodes.Ok, $"no state file at {missing}"), (runs.ExitCode, runs.Stdout.Split(" (")[0]));
        Assert.Equal(ExitCodes.NotFound, show.ExitCode);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing))); // reading never creates it
        AssertOneError(run, ExitCodes.Invalid, underAFile, "cannot create the folder of state file");
    }

    [Fact]
    public async Task The_executable_exits_2_for_a_folder_and_1_for_a_file_that_is_not_a_database()
    {
        string notes = _dir.Write("notes.txt", new string('x', 500));

        CliResult folder = await SluiceProcess.RunAsync("runs", "--state", _dir.Path);
        CliResult garbage = await SluiceProcess.RunAsync("dlq", "list", "--state", notes);

        AssertOneError(folder, ExitCodes.Invalid, _dir.Path, "is a folder");
        AssertOneError(garbage, ExitCodes.RunFailed, notes, "is not a SQLite database");
    }

    private async Task AssertReadOnlyCommandsWorkAsync()
    {
        string id = _letterId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string[] args in new[] { ["runs"], ["show", _runId], ["dlq", "list"], new[] { "dlq", "show", id } })
        {
            CliResult result = await TestSupport.Sluice.RunAsync([.. args, "--state", _state]);
            Assert.True(result.ExitCode == ExitCodes.Ok, $"sluice {string.Join(' ', args)}: {result.Stderr}");
            Assert.Equal("", result.Stderr);
            Assert.Contains(args[0] == "dlq" ? "field_count" : _runId, result.Stdout);
        }
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A full or failing disk is the machine's problem, not bad usage: exit 1, as a run that fails on it.</summary>
    [Theory]
    [InlineData(13, "the disk is full")]
    [InlineData(10, "(SQLite error 10")]
    public void A_full_or_failing_disk_under_the_state_file_exits_1(int sqliteError, string says)
    {
        var error = SqliteStateErrors.Describe("/x/state.db", new SqliteException("e", sqliteError), readOnly: false);

        Assert.Equal(ExitCodes.RunFailed, ExitCodes.For(error.Problem));
        Assert.Contains(says, error.Message);
    }
}
