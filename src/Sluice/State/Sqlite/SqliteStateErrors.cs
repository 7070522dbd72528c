using Microsoft.Data.Sqlite;

namespace Sluice.State.Sqlite;

/// <summary>Turns SQLite's errors on opening the state file (<c>SQLite Error 26: 'file is not a database'</c>, with
/// no path) into a <see cref="StateFileException"/> that names the file and says what to do.</summary>
internal static class SqliteStateErrors
{
    // Primary result codes (https://sqlite.org/rescode.html).
    internal const int CantOpen = 14;
    private const int Perm = 3, Busy = 5, Locked = 6, ReadOnly = 8, IoErr = 10, Corrupt = 11, Full = 13, Auth = 23, NotADb = 26;

    public static StateFileException Describe(string path, SqliteException e, bool readOnly)
    {
        // SQLite's own words only where ours add nothing better: they never name the file.
        string sqlite = $"(SQLite error {e.SqliteErrorCode}: {SqliteReason(e)})";
        return e.SqliteErrorCode switch
        {
            NotADb => new(path, StateFileProblem.Damaged,
                $"state file {path} is not a SQLite database: give the path of the state file, or move this file away to start a new history", e),
            Corrupt => new(path, StateFileProblem.Damaged,
                $"state file {path} is damaged: restore it from a backup (sqlite3 '.recover' may save what is left), or move it away to start a new history (whose first run reads all its input again)", e),
            Busy or Locked => new(path, StateFileProblem.Locked,
                $"state file {path} is locked by another process: wait for it to finish (see sluice runs) and try again", e),
            ReadOnly => ReadOnlyFile(path, e),
            CantOpen or Perm or Auth => new(path, StateFileProblem.Unusable, readOnly
                ? $"cannot open state file {path} for reading: check that it is a file you may read, in a folder you may list"
                : $"cannot open state file {path}: check that its folder exists or can be created and that you may write both", e),
            Full => new(path, StateFileProblem.Failing,
                $"cannot write state file {path}: the disk is full; free space and try again", e),
            IoErr => new(path, StateFileProblem.Failing,
                $"cannot read or write state file {path} {sqlite}: check the disk (full? failing?) and the file; restore it from a backup if it stays unusable", e),
            _ => new(path, StateFileProblem.Damaged, $"state file {path} cannot be used {sqlite}", e),
        };
    }

    public static StateFileException ReadOnlyFile(string path, Exception? inner = null) => new(path, StateFileProblem.Unusable,
        $"state file {path} is read-only: this command writes to it; make the file and its folder writable, or use another state file", inner);

    /// <summary>Commits in the -wal of a file in a read-only folder, without the -shm SQLite needs to read them.</summary>
    public static StateFileException UnreadableLog(string path, Exception inner) => new(path, StateFileProblem.Unusable,
        $"state file {path} has commits in its write-ahead log ({path}-wal) that cannot be read without creating {path}-shm " +
        "in its folder, which is read-only: copy the file and its -wal to a writable folder and read that copy, or run a " +
        "pipeline with it once where it is writable (which folds the log into the file)", inner);

    /// <summary>The quoted part of "SQLite Error 10: 'disk I/O error'.".</summary>
    private static string SqliteReason(SqliteException e) =>
        e.Message.Split('\'').Length >= 3 ? e.Message.Split('\'')[1] : e.Message;

    /// <summary>A folder where the state file should be (SQLite's own error would only say it cannot open it).</summary>
    public static StateFileException Folder(string path) => new(path, StateFileProblem.Unusable,
        $"state path {path} is a folder, not a file: give the state file's own path, e.g. {System.IO.Path.Combine(path, "state.db")}");
}
