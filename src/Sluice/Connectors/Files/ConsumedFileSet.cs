using System.IO.Hashing;
using Sluice.State;

namespace Sluice.Connectors.Files;

/// <summary>
/// The files a pipeline's committed checkpoints recorded as fully read, so that a file source skips them: what
/// makes a re-run over a folder that receives new files an incremental load. A file is the same when its path, size
/// and content hash (XXH128) all match; a file rewritten in place is read again. The hash is computed only for a
/// file whose path and size match a recorded one.
/// </summary>
internal sealed class ConsumedFileSet
{
    private readonly Dictionary<string, List<ConsumedFile>> _byPath;

    public ConsumedFileSet(IEnumerable<ConsumedFile> files) =>
        _byPath = files.GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    public static ConsumedFileSet Empty { get; } = new([]);

    public bool Contains(string path)
    {
        if (!_byPath.TryGetValue(path, out var recorded))
        {
            return false;
        }
        long size = new FileInfo(path).Length;
        return recorded.Any(f => f.Size == size) && recorded.Contains(Identify(path));
    }

    /// <summary>The file as a checkpoint records it: path, size and content hash.</summary>
    public static ConsumedFile Identify(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var hash = new XxHash128();
        hash.Append(stream);
        return new ConsumedFile(path, stream.Length, "xxh128:" + Convert.ToHexStringLower(hash.GetCurrentHash()));
    }
}
