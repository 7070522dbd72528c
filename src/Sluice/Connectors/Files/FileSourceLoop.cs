using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>
/// What every file source does around reading one file, so that a source only reads files: the files in order (and,
/// when following, the ones that appear later, with an empty batch per idle poll), skipping those a committed
/// checkpoint recorded as consumed, resuming the one the position names, and recording each file read to its end
/// as consumed — after its last batch, so that the checkpoint recording it has a position past its end.
/// </summary>
internal static class FileSourceLoop
{
    /// <param name="readFile">Reads one file from its start, or right after the position when one is given.</param>
    public static async IAsyncEnumerable<Batch> ReadAsync(IReadOnlyList<string> files, FileFollow? follow, Schema schema,
        StageContext context, SourcePosition? resumeAfter, Func<string, SourcePosition?, IAsyncEnumerable<Batch>> readFile,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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
            if (context.AlreadyConsumed(file))
            {
                continue;
            }
            var resumeHere = resumeAfter is not null && file == resumeAfter.File ? resumeAfter : null;
            await foreach (var batch in readFile(file, resumeHere).WithCancellation(cancellationToken))
            {
                yield return batch;
            }
            context.FileConsumed(file);
        }
    }
}
