using System.Globalization;
using Apache.Arrow;
using Sluice.Pipelines;

namespace Sluice.Connectors.Files;

/// <summary>
/// The part files one sink writes into its folder for one run, and their two-phase life: written under an
/// in-progress name, published all together by <see cref="Complete"/>, or deleted by <see cref="Abort"/>.
/// </summary>
/// <remarks>
/// Files are named <c>part-{runId}-{seq:D5}.{extension}</c>; while written they end in <c>.inprogress</c>. That suffix,
/// rather than a hidden dot-prefixed name, is what keeps them out of readers: DuckDB, Spark and Polars all read hidden
/// files, but no reader's <c>*.parquet</c> glob matches <c>.parquet.inprogress</c>.
/// A file is opened only when a row arrives for it, so a part with zero rows never exists. A full part (at
/// <c>maxRowsPerFile</c>) is finished and fsynced at once but keeps its in-progress name until <see cref="Complete"/>:
/// a run publishes all of its files or none. Not thread-safe: one sink writes it from one worker.
/// </remarks>
internal sealed class PartFileSet : IDisposable
{
    private const string InProgressSuffix = ".inprogress";

    private readonly string _folder;
    private readonly string _runId;
    private readonly string _extension;
    private readonly long _maxRowsPerFile;
    private readonly Func<Stream, PartFileWriter> _open;
    private readonly List<string> _pending = []; // in-progress paths not yet published, in sequence order
    private readonly List<string> _published = [];
    private FileStream? _stream;
    private PartFileWriter? _writer;
    private long _rowsInCurrent;
    private int _sequence;

    /// <param name="folder">The output folder (absolute); created if missing.</param>
    /// <param name="extension">The final extension without its dot, e.g. <c>parquet</c>.</param>
    /// <exception cref="PipelineException"><paramref name="maxRowsPerFile"/> is less than 1.</exception>
    /// <param name="open">Starts the format's writer over a new, empty file stream.</param>
    public PartFileSet(string folder, string runId, string extension, long maxRowsPerFile, Func<Stream, PartFileWriter> open)
    {
        if (maxRowsPerFile < 1)
        {
            throw new PipelineException(null, $"the {extension} sink's max_rows_per_file is {maxRowsPerFile}; it must be at least 1 (the default is {PartFileOptions.DefaultMaxRowsPerFile})");
        }
        _folder = folder;
        _runId = runId;
        _extension = extension;
        _maxRowsPerFile = maxRowsPerFile;
        _open = open;
    }

    /// <summary>Final paths of the files <see cref="Complete"/> published, in sequence order.</summary>
    public IReadOnlyList<string> Published => _published;

    /// <summary>Writes every row of <paramref name="batch"/>, starting new part files at the row limit.</summary>
    public void Write(RecordBatch batch)
    {
        int offset = 0;
        while (offset < batch.Length)
        {
            var writer = _writer ?? Open();
            int take = (int)Math.Min(batch.Length - offset, _maxRowsPerFile - _rowsInCurrent);
            writer.Write(batch, offset, take);
            _rowsInCurrent += take;
            offset += take;
            if (_rowsInCurrent == _maxRowsPerFile)
            {
                Seal();
            }
        }
    }

    /// <summary>
    /// Finishes the current part, then renames every part to its final name and fsyncs the folder so the
    /// renames survive a crash. Data is fsynced before any rename, so a published name never shows a torn file.
    /// </summary>
    public void Complete()
    {
        if (_writer is not null)
        {
            Seal();
        }
        while (_pending.Count > 0)
        {
            string inProgress = _pending[0];
            string final = inProgress[..^InProgressSuffix.Length];
            File.Move(inProgress, final, overwrite: false);
            _pending.RemoveAt(0); // only once renamed, so Abort after a failed rename still deletes the rest
            _published.Add(final);
        }
        if (_published.Count > 0)
        {
            PartFileFolder.FlushToDisk(_folder);
        }
    }

    /// <summary>Closes and deletes every part not yet published. Files already gone are not an error.</summary>
    public void Abort()
    {
        CloseCurrent();
        foreach (string path in _pending)
        {
            try
            {
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
                // the whole folder is gone: nothing left to discard
            }
        }
        _pending.Clear();
    }

    /// <summary>Releases the open file, if any, without publishing or deleting anything.</summary>
    public void Dispose() => CloseCurrent();

    private PartFileWriter Open()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"part-{_runId}-{_sequence:D5}.{_extension}{InProgressSuffix}");
        string path = Path.Combine(_folder, name);
        // CreateNew: a name that already exists means a run id was reused, which must not overwrite anything.
        // The folder is made when the first file is, not when the sink is built: building also serves validation.
        Directory.CreateDirectory(_folder);
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        _pending.Add(path);
        _sequence++;
        _rowsInCurrent = 0;
        _writer = _open(_stream);
        return _writer;
    }

    /// <summary>Finishes the current part and makes its bytes durable; it stays in progress until published.</summary>
    private void Seal()
    {
        _writer!.Finish();
        _stream!.Flush(flushToDisk: true);
        CloseCurrent();
    }

    private void CloseCurrent()
    {
        _writer?.Dispose();
        _stream?.Dispose();
        _writer = null;
        _stream = null;
    }
}
