using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Connectors.Files;

/// <summary>
/// How far a file source (and the http source, whose pages it numbers like rows) has read: the form behind the
/// <see cref="SourcePosition"/> it hands the engine, stored as <c>{"file":…,"offset":…,"line":…}</c>.
/// </summary>
/// <param name="File">Absolute path of the file the batch came from.</param>
/// <param name="Offset">For text files, the byte offset just past the last record read (emitted or
/// dead-lettered); for columnar files, the 1-based number of the next row to read.</param>
/// <param name="Line">The 1-based physical line the next record starts on (for text files), so that lines in dead
/// letters stay right after a resume; the same as <paramref name="Offset"/> for columnar files.</param>
internal sealed record FilePosition(string File, long Offset, long Line)
{
    /// <summary>The opaque position a batch carries.</summary>
    public SourcePosition ToSource() => new(JsonSerializer.Serialize(new Stored(File, Offset, Line)));

    /// <summary>The file position behind <paramref name="position"/>, which this kind of source made; null for none.</summary>
    public static FilePosition? From(SourcePosition? position)
    {
        if (position is null)
        {
            return null;
        }
        var stored = JsonSerializer.Deserialize<Stored>(position.Value)
            ?? throw new InvalidDataException($"not a stored file position: {position.Value}");
        return new FilePosition(stored.File, stored.Offset, stored.Line);
    }

    private sealed record Stored(
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("offset")] long Offset,
        [property: JsonPropertyName("line")] long Line);

    /// <summary>Where a file source resumes among <paramref name="files"/> (ordinal order, the order it reads
    /// them): the index of <see cref="File"/>. Throws when that file is gone, since what was read of it is then
    /// unknown.</summary>
    internal int IndexIn(IReadOnlyList<string> files)
    {
        int index = -1;
        for (int i = 0; i < files.Count && index < 0; i++)
        {
            index = string.Equals(files[i], File, StringComparison.Ordinal) ? i : -1;
        }
        if (index < 0 || !System.IO.File.Exists(File))
        {
            throw Changed("no longer exists (or no longer matches the path)");
        }
        return index;
    }

    /// <summary>The error for an input that changed under a checkpoint.</summary>
    internal InvalidDataException Changed(string what) =>
        new($"cannot resume: {File}, read up to position {Offset} (line {Line}) at the last checkpoint, {what}; "
            + "the input changed since, so the run cannot resume where it stopped (start a fresh run)");
}
