using System.Globalization;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice.Connectors.Files;

/// <summary>
/// The part files one sink writes into its folder for one run, and their two-phase life: written under an
/// in-progress name, made durable by <see cref="Prepare"/>, renamed into place by <see cref="Commit(IReadOnlyList{string})"/>, or deleted by
/// <see cref="Abort"/>.
/// </summary>
/// <remarks>
/// Files are named <c>part-{runId}-{seq:D5}.{extension}</c>; while written they end in <c>.inprogress</c>. That suffix,
/// rather than a hidden dot-prefixed name, is what keeps them out of readers: DuckDB, Spark and Polars all read hidden
/// files, but no reader's <c>*.parquet</c> glob matches <c>.parquet.inprogress</c>.
/// A file is opened only when a row arrives for it, so a part with zero rows exists only as the one
/// <see cref="EndInput"/> writes for a format whose empty file still names its columns (Parquet, CSV with a header)
/// when the folder would otherwise be left without any part: a reader of the folder (a downstream pipeline's glob,
/// DuckDB's <c>read_parquet</c>) then finds the columns and zero rows, not nothing. A full part (at
/// <c>maxRowsPerFile</c>) is finished and fsynced at once but keeps its in-progress name until committed.
/// One worker writes and prepares; <see cref="Commit(IReadOnlyList{string})"/> may run at the same time on the
/// checkpoint coordinator's thread, so the lists both touch are guarded by a lock.
/// </remarks>
internal sealed class PartFileSet : IDisposable
{
    private const string InProgressSuffix = ".inprogress";

    private readonly string _folder;
    private readonly string _runId;
    private readonly string _extension;
    private readonly long _maxRowsPerFile;
    private readonly Func<Stream, PartFileWriter> _open;
    private readonly bool _emptyPartNamesColumns;
    private readonly List<string> _pending = []; // in-progress paths not yet prepared, in sequence order
    private readonly List<string> _prepared = []; // prepared, not yet committed
    private readonly List<string> _published = [];
    private readonly Lock _lock = new(); // guards _prepared and _published
    private FileStream? _stream;
    private PartFileWriter? _writer;
    private long _rowsInCurrent;
    private int _sequence;

    /// <summary>The output folder (absolute).</summary>
    public string Folder => _folder;

    /// <param name="folder">The output folder (absolute); created if missing.</param>
    /// <param name="extension">The final extension without its dot, e.g. <c>parquet</c>.</param>
    /// <exception cref="PipelineException"><paramref name="maxRowsPerFile"/> is less than 1.</exception>
    /// <param name="open">Starts the format's writer over a new, empty file stream.</param>
    /// <param name="emptyPartNamesColumns">Whether the format's file with no rows still names the columns, so that
    /// <see cref="EndInput"/> writes one into a folder that would otherwise have no part.</param>
    public PartFileSet(string folder, string runId, string extension, long maxRowsPerFile, Func<Stream, PartFileWriter> open,
        bool emptyPartNamesColumns = false)
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
        _emptyPartNamesColumns = emptyPartNamesColumns;
    }

    /// <summary>Final paths of the files <see cref="Commit(IReadOnlyList{string})"/> published, in order.</summary>
    public IReadOnlyList<string> Published
    {
        get
        {
            lock (_lock)
            {
                return [.. _published];
            }
        }
    }

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

    /// <summary>Called once the sink's input has ended, before its last prepare: when the format's empty file names
    /// the columns and neither this run nor any earlier one has a part in the folder (published or in progress), opens
    /// one with no rows, which that prepare seals and the run's last checkpoint publishes like any other part.</summary>
    public void EndInput()
    {
        if (!_emptyPartNamesColumns || _writer is not null || _pending.Count > 0 || _sequence > 0)
        {
            return;
        }
        lock (_lock)
        {
            if (_prepared.Count > 0 || _published.Count > 0)
            {
                return;
            }
        }
        string pattern = $"part-*.{_extension}";
        if (Directory.Exists(_folder) && (Directory.EnumerateFiles(_folder, pattern).Any()
            || Directory.EnumerateFiles(_folder, pattern + InProgressSuffix).Any()))
        {
            return;
        }
        Open();
    }

    /// <summary>Seals the current part (its bytes fsynced) and returns the in-progress file names sealed since the
    /// last prepare, relative to the folder: the commit token's content. The folder is fsynced too, so the new names
    /// survive a power loss. Nothing becomes visible.</summary>
    public IReadOnlyList<string> Prepare()
    {
        if (_writer is not null)
        {
            Seal();
        }
        var names = _pending.Select(p => Path.GetFileName(p)).ToList();
        if (names.Count > 0)
        {
            PartFileFolder.FlushToDisk(_folder);
        }
        lock (_lock)
        {
            _prepared.AddRange(_pending);
        }
        _pending.Clear();
        return names;
    }

    /// <summary>The path <paramref name="inProgressName"/> (a name <see cref="Prepare"/> returned) gets when it is
    /// committed.</summary>
    public string FinalPath(string inProgressName) => Path.Combine(_folder, inProgressName[..^InProgressSuffix.Length]);

    /// <summary>Renames the prepared files named to their final names and fsyncs the folder so the renames survive a
    /// crash. Idempotent: a file already renamed (its final name exists, its in-progress one does not) is skipped,
    /// so a token can be committed again after a crash in the middle of a commit.</summary>
    /// <exception cref="IOException">A named file exists under neither name: the prepared data is lost.</exception>
    public IReadOnlyList<string> Commit(IReadOnlyList<string> inProgressNames)
    {
        var published = Commit(_folder, inProgressNames);
        lock (_lock)
        {
            _prepared.RemoveAll(p => inProgressNames.Contains(Path.GetFileName(p)));
            _published.AddRange(published);
        }
        return published;
    }

    /// <inheritdoc cref="Commit(IReadOnlyList{string})"/>
    public static IReadOnlyList<string> Commit(string folder, IReadOnlyList<string> inProgressNames)
    {
        var published = new List<string>(inProgressNames.Count);
        foreach (string name in inProgressNames)
        {
            if (!name.EndsWith(InProgressSuffix, StringComparison.Ordinal) || Path.GetFileName(name) != name)
            {
                throw new ArgumentException($"'{name}' is not the name of an in-progress part file", nameof(inProgressNames));
            }
            string inProgress = Path.Combine(folder, name);
            string final = inProgress[..^InProgressSuffix.Length];
            if (File.Exists(inProgress))
            {
                File.Move(inProgress, final, overwrite: false);
                if (published.Count == 0 && inProgressNames.Count > 1)
                {
                    CrashPoints.Hit(CrashPoints.DuringSinkCommit);
                }
            }
            else if (!File.Exists(final))
            {
                throw new PreparedOutputLostException($"cannot publish {final}: neither it nor {inProgress} exists, so the prepared data is lost");
            }
            published.Add(final);
        }
        if (published.Count > 0)
        {
            PartFileFolder.FlushToDisk(folder);
        }
        return published;
    }

    /// <summary>Deletes the in-progress part files another run of this sink left in the folder (its process died
    /// before publishing them); returns how many. Published files are never touched.</summary>
    public int DiscardInProgressOf(string runId)
    {
        if (!Directory.Exists(_folder))
        {
            return 0;
        }
        var abandoned = Directory.GetFiles(_folder, $"part-{runId}-*.{_extension}{InProgressSuffix}");
        foreach (string path in abandoned)
        {
            File.Delete(path);
        }
        return abandoned.Length;
    }

    /// <summary>Closes and deletes every part not yet published. Files already gone are not an error.</summary>
    public void Abort()
    {
        CloseCurrent();
        List<string> unpublished;
        lock (_lock)
        {
            unpublished = [.. _pending, .. _prepared];
            _prepared.Clear();
        }
        foreach (string path in unpublished)
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
        // The folder is made when the first file is, not when the sink is built: building also serves validation.
        Directory.CreateDirectory(_folder);
        string path = NextFreePath();
        // CreateNew: never overwrite anything, even if another process raced us to the name.
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        _pending.Add(path);
        _sequence++;
        _rowsInCurrent = 0;
        _writer = _open(_stream);
        return _writer;
    }

    /// <summary>The next sequence number whose name is free both published and in progress: a resumed run goes on
    /// after the parts its earlier attempt published.</summary>
    private string NextFreePath()
    {
        while (true)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"part-{_runId}-{_sequence:D5}.{_extension}{InProgressSuffix}");
            string path = Path.Combine(_folder, name);
            if (!File.Exists(path) && !File.Exists(path[..^InProgressSuffix.Length]))
            {
                return path;
            }
            _sequence++;
        }
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
