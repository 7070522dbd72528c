using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Files;

/// <summary>
/// A file sink: every file format is this sink over a <see cref="PartFileSet"/> with that format's writer.
/// Consumes when: a batch arrives; it is encoded before <see cref="WriteAsync"/> returns (buffering at most the
/// writer's own buffer, e.g. one Parquet row group). Backpressures when: encoding or the disk is slower than upstream.
/// Prepares when asked: the current file is finished and fsynced and later rows go to a new file. Commits a token by
/// renaming its files to their final names and fsyncing the folder; committing again is harmless.
/// </summary>
internal sealed class PartFileSink(PartFileSet files) : ISink, INamedDataset
{
    /// <summary>The folder: its part files together are the dataset.</summary>
    public LineageDataset Dataset => LineageDataset.ForFile(files.Folder);

    public IReadOnlyList<string> Published => files.Published;

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        files.Write(batch.Data);
        return ValueTask.CompletedTask;
    }

    /// <summary>Its input has ended (the run's last prepare comes next).</summary>
    public void EndInput() => files.EndInput();

    /// <summary>The token is the JSON array of the prepared files' in-progress names.</summary>
    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        var names = files.Prepare();
        return ValueTask.FromResult(new PreparedOutput(
            System.Text.Json.JsonSerializer.Serialize(names), names.Select(files.FinalPath).ToList()));
    }

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        files.Commit(System.Text.Json.JsonSerializer.Deserialize<string[]>(token)
            ?? throw new ArgumentException("not a part-file commit token", nameof(token)));
        return ValueTask.CompletedTask;
    }

    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken)
    {
        files.DiscardInProgressOf(runId);
        return ValueTask.CompletedTask;
    }

    public ValueTask AbortAsync()
    {
        files.Abort();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }
}
