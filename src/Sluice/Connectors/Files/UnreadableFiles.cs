using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>
/// What a file source does with a file it cannot read, as <c>on_unreadable_file</c> says: one dead letter (reason
/// <c>parse</c>; the file's path; its first bytes, or the first bytes of the unread rest, as original bytes) counted
/// as one record read, or the run's failure with the same message. A file that breaks in the middle keeps the records
/// read before the break; the letter stands for the rest.
/// </summary>
internal static class UnreadableFiles
{
    /// <param name="line">The line (row, for Parquet) the unread part starts on: 1 for a whole file.</param>
    /// <param name="original">Its first bytes; at most <see cref="FileSniff.HeadBytes"/> are kept.</param>
    public static void Report(StageContext context, OnUnreadableFile mode, string file, string rule, string message, long line,
        ReadOnlySpan<byte> original)
    {
        string where = line > 1 ? $"{file} from line {line} on" : file;
        if (mode == OnUnreadableFile.Fail)
        {
            throw new InvalidDataException($"cannot read {where}: {message} (on_unreadable_file: fail; set it to dead_letter "
                + "to skip such a file as one dead letter)");
        }
        var kept = original.Length > FileSniff.HeadBytes ? original[..FileSniff.HeadBytes] : original;
        context.RecordsRead(1);
        context.DeadLetter(FileOrigins.At(file, line, kept.ToArray()), DeadLetterReason.Parse, null, rule,
            $"cannot read {where}: {message}");
    }

    /// <summary>The message for bytes that are not what the source's options expect.</summary>
    public static string Looks(string what, string fix) => $"it looks like {what}; {fix}";
}
