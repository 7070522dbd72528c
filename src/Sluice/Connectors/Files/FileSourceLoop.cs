using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>
/// What every file source does around reading one file, so that a source only reads files: the files in order (and,
/// when following, the ones that appear later, with an empty batch per idle poll), skipping those a committed
/// checkpoint recorded as consumed, reading on in those that grew since, handling those changed in place as
/// <c>on_changed_file</c> says, resuming the one the position names, and recording each file read to its end as
/// consumed — after its last batch, so that the checkpoint recording it has a position past its end.
/// </summary>
internal static class FileSourceLoop
{
    /// <param name="canGrow">Whether a file can grow by appending records and a position's offset counts its bytes
    /// (plain UTF-8 text files); a columnar, compressed or transcoded file that differs is changed.</param>
    /// <param name="readFile">Reads one file from its start, or right after the position when one is given.</param>
    public static async IAsyncEnumerable<Batch> ReadAsync(IReadOnlyList<string> files, FileFollow? follow, Schema schema,
        StageContext context, FilePosition? resumeAfter, Func<string, bool> canGrow, OnChangedFile onChanged,
        Func<string, FilePosition?, IAsyncEnumerable<Batch>> readFile, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Reading is mostly synchronous work on spans; leave the caller's thread before starting it.
        await Task.Yield();
        await foreach (string? file in FileFollow.FilesAsync(files, resumeAfter?.IndexIn(files) ?? 0, follow, cancellationToken))
        {
            if (file is null)
            {
                yield return Batch.Empty(schema); // nothing new yet (following): the runner gets its turn
                continue;
            }
            // A checkpoint's position inside the file is past anything an earlier run recorded of it.
            var start = resumeAfter is not null && file == resumeAfter.File ? resumeAfter : null;
            bool grows = canGrow(file);
            if (start is null)
            {
                var check = context.CheckConsumed(file, grows);
                if (check.State == ConsumedState.Consumed)
                {
                    context.FileSkipped();
                    continue;
                }
                if (check.State == ConsumedState.Changed && !Changed(file, check.Change!, onChanged, context))
                {
                    context.FileConsumed(file, end: null, grows);
                    continue;
                }
                start = check.ResumeAfter;
            }
            // Where the file ends for the next run: after its last batch, or where reading started when none came
            // (line 0: no record was read from it).
            var end = start ?? new FilePosition(file, 0, 0);
            await foreach (var batch in readFile(file, start).WithCancellation(cancellationToken))
            {
                end = FilePosition.From(batch.Position) ?? end;
                yield return batch;
            }
            context.FileConsumed(file, end, grows);
        }
    }

    /// <summary>Announces a changed file; whether to read it (from its start).</summary>
    private static bool Changed(string file, string change, OnChangedFile onChanged, StageContext context)
    {
        string what = $"{file} changed since an earlier run consumed it ({change})";
        if (onChanged == OnChangedFile.Fail)
        {
            throw new InvalidDataException($"{what}; on_changed_file: fail stops the run. To read it again from its start " +
                "set on_changed_file: reread (its records may then be written twice), or skip it with on_changed_file: skip");
        }
        context.Warn(onChanged == OnChangedFile.Reread
            ? $"{what}: read again from its start (on_changed_file: reread); records it held before may be written twice"
            : $"{what}: not read (on_changed_file: skip); taken as consumed as it now is");
        return onChanged == OnChangedFile.Reread;
    }
}
