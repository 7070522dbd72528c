using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.State;

namespace Sluice.Connectors.Files;

/// <summary>A file a file source has read to its end: its first <paramref name="Size"/> bytes, their hash, and the
/// source's position after its last record (<paramref name="EndOffset"/>, <paramref name="EndLine"/>), from which a
/// file that grew since is read on. A file whose first <paramref name="Size"/> bytes changed is a changed file.
/// Checkpoints keep it as the file's <see cref="InputMark"/>, whose value is
/// <c>{"size":…,"hash":…,"end_offset":…,"end_line":…}</c>.</summary>
/// <param name="EndLine">0 when no record was read from the file (an empty or header-only file): when it grows it
/// is read from its start. Both end values are null when the end is not known (recorded before state schema version 6,
/// or a changed file skipped by <c>on_changed_file: skip</c>): when it grows it is a changed file.</param>
internal sealed record ConsumedFile(string Path, long Size, string ContentHash, long? EndOffset = null, long? EndLine = null)
{
    public InputMark ToMark() => new(Path, JsonSerializer.Serialize(new Stored(Size, ContentHash, EndOffset, EndLine)));

    public static ConsumedFile FromMark(InputMark mark)
    {
        var stored = JsonSerializer.Deserialize<Stored>(mark.Value)
            ?? throw new InvalidDataException($"not a consumed file's mark: {mark.Value}");
        return new ConsumedFile(mark.Input, stored.Size, stored.Hash, stored.EndOffset, stored.EndLine);
    }

    private sealed record Stored(
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("hash")] string Hash,
        [property: JsonPropertyName("end_offset")] long? EndOffset,
        [property: JsonPropertyName("end_line")] long? EndLine);
}
