namespace Sluice.DeadLetters;

/// <summary>
/// The rules of dead letters that stand for a whole input file, or the unread rest of one, rather than one record:
/// a file a source could not read. Their original bytes are only the file's first bytes, so they cannot be replayed
/// from them; <c>sluice dlq replay</c> keeps them in the queue with one attempt more and says why.
/// </summary>
internal static class FileLetters
{
    /// <summary>The file cannot be read as the source's options say (compressed, another encoding, binary, corrupt,
    /// cut short…).</summary>
    public const string UnreadableFile = "unreadable_file";

    /// <summary>A CSV file whose header differs from the file that fixed the columns.</summary>
    public const string HeaderMismatch = "header_mismatch";

    /// <summary>A Parquet file whose columns differ from the file that fixed them.</summary>
    public const string SchemaMismatch = "schema_mismatch";

    internal const string NotReplayed = "not replayed: this letter stands for a file (or its rest) that could not be read, "
        + "and its first bytes are not the records; see docs/runbook.md, 'a file could not be read'. ";

    public static bool IsFileLetter(string? rule) => rule is UnreadableFile or HeaderMismatch or SchemaMismatch;
}
