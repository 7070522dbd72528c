using System.IO.Hashing;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Connectors.Files;

/// <summary>
/// The files a pipeline's committed checkpoints recorded as read to their end, so that a file source reads each
/// record once however often it runs: a file whose recorded bytes are unchanged is skipped when it has not grown
/// and read on from the recorded end when it has (the tail semantics of log shippers); any other file at a
/// recorded path was changed in place. Only a file whose path is recorded is hashed, and only up to the longest
/// recorded size it can hold. Why, and the edge cases: docs/decisions.md, "Files that grow or change".
/// </summary>
internal sealed class ConsumedFileSet
{
    private readonly Dictionary<string, List<ConsumedFile>> _byPath;

    public ConsumedFileSet(IEnumerable<ConsumedFile> files) =>
        _byPath = files.GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    public static ConsumedFileSet Empty { get; } = new([]);

    /// <param name="canGrow">Whether the source's files can grow by appending records (text files, whose end
    /// offset counts bytes); a columnar file that differs in any way is changed.</param>
    public ConsumedCheck Check(string path, bool canGrow)
    {
        if (!_byPath.TryGetValue(path, out var recorded))
        {
            return ConsumedCheck.New;
        }
        long size = new FileInfo(path).Length;
        var fitting = recorded.Where(f => f.Size <= size).OrderBy(f => f.Size).ToList();
        var hashes = PrefixHashes(path, fitting.Select(f => f.Size).Distinct().ToList());
        if (fitting.Any(f => f.Size == size && hashes[f.Size].Hash == f.ContentHash))
        {
            return ConsumedCheck.Consumed;
        }
        var prefix = fitting.LastOrDefault(f => f.Size < size && hashes[f.Size].Hash == f.ContentHash);
        var last = recorded.MaxBy(f => f.Size)!;
        string was = $"was {last.Size:N0} bytes when consumed, is now {size:N0}";
        if (prefix is null)
        {
            return ConsumedCheck.ChangedBecause(size < last.Size ? $"{was}: it is shorter" : $"{was} and its consumed bytes differ");
        }
        if (!canGrow)
        {
            return ConsumedCheck.ChangedBecause($"{was}; a file of this format cannot grow by appending");
        }
        if (prefix.EndOffset is not { } offset || prefix.EndLine is not { } line)
        {
            return ConsumedCheck.ChangedBecause($"{was}; where its last record ended was not recorded");
        }
        if (offset > prefix.Size)
        {
            return ConsumedCheck.ChangedBecause($"{was}; its position counts other bytes than the file's (a compressed file), so it cannot be read on");
        }
        if (line == 0)
        {
            return ConsumedCheck.GrownFrom(null); // no record was read from it: reading it from its start repeats none
        }
        if (!hashes[prefix.Size].EndsWithLineBreak)
        {
            // Its last record had no line break: the bytes appended may belong to it, so where it ends is unknown.
            return ConsumedCheck.ChangedBecause($"{was}, and its last consumed record, which had no line break, may have been extended");
        }
        return ConsumedCheck.GrownFrom(new FilePosition(path, offset, line));
    }

    /// <summary>The file as a checkpoint records it after reading it to <paramref name="end"/>: for a file that
    /// can grow, the bytes up to the end offset (bytes appended while it was read are not covered, so the next run
    /// reads them); otherwise the whole file. <paramref name="end"/> null: the end is unknown.</summary>
    public static ConsumedFile Identify(string path, FilePosition? end, bool canGrow)
    {
        long size = new FileInfo(path).Length;
        // An offset past the file's bytes counts something else (decompressed bytes): then the whole file is recorded.
        long length = canGrow && end is { Line: > 0 } && end.Offset <= size ? end.Offset : size;
        var (hash, _) = PrefixHashes(path, [length])[length];
        return new ConsumedFile(path, length, hash, end?.Offset, end?.Line);
    }

    /// <summary>The hash of the first n bytes of the file for each n of <paramref name="sizes"/> (ascending), in one
    /// pass, and whether those n bytes end with a line break.</summary>
    private static Dictionary<long, (string Hash, bool EndsWithLineBreak)> PrefixHashes(string path, List<long> sizes)
    {
        var result = new Dictionary<long, (string, bool)>();
        if (sizes.Count == 0)
        {
            return result;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        var hash = new XxHash128();
        var buffer = new byte[1 << 16];
        long done = 0;
        byte lastByte = 0;
        foreach (long size in sizes)
        {
            while (done < size)
            {
                int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, size - done));
                if (read == 0)
                {
                    throw new IOException($"{path} became shorter while its consumed bytes were compared");
                }
                hash.Append(buffer.AsSpan(0, read));
                lastByte = buffer[read - 1];
                done += read;
            }
            result[size] = ("xxh128:" + Convert.ToHexStringLower(hash.GetCurrentHash()), lastByte == (byte)'\n');
        }
        return result;
    }
}

/// <summary>What a file source does with a file, by what <see cref="ConsumedFileSet.Check"/> found.</summary>
/// <param name="ResumeAfter">For a grown file, where to read on (null: from its start).</param>
/// <param name="Change">For a changed file, how it changed, to finish "data/a.csv …".</param>
internal sealed record ConsumedCheck(ConsumedState State, FilePosition? ResumeAfter = null, string? Change = null)
{
    public static ConsumedCheck New { get; } = new(ConsumedState.New);

    public static ConsumedCheck Consumed { get; } = new(ConsumedState.Consumed);

    public static ConsumedCheck GrownFrom(FilePosition? resumeAfter) => new(ConsumedState.Grown, resumeAfter);

    public static ConsumedCheck ChangedBecause(string change) => new(ConsumedState.Changed, Change: change);
}

internal enum ConsumedState
{
    /// <summary>Never read to its end: read it from its start.</summary>
    New,

    /// <summary>Read to its end and unchanged: skip it.</summary>
    Consumed,

    /// <summary>Its consumed bytes are unchanged and more follow them: read on after them.</summary>
    Grown,

    /// <summary>Its consumed bytes changed (or it cannot be told where to go on): <c>on_changed_file</c> decides.</summary>
    Changed,
}
