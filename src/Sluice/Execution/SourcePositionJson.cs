using System.Text.Json;
using Sluice.Records;

namespace Sluice.Execution;

/// <summary>A source position as a checkpoint stores it: <c>{"file":…,"offset":…,"line":…}</c>.</summary>
internal static class SourcePositionJson
{
    public static string Write(SourcePosition position) =>
        JsonSerializer.Serialize(new Stored(position.File, position.Offset, position.Line));

    public static SourcePosition Read(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json)
            ?? throw new InvalidDataException($"not a stored source position: {json}");
        return new SourcePosition(stored.File, stored.Offset, stored.Line);
    }

    private sealed record Stored(
        [property: System.Text.Json.Serialization.JsonPropertyName("file")] string File,
        [property: System.Text.Json.Serialization.JsonPropertyName("offset")] long Offset,
        [property: System.Text.Json.Serialization.JsonPropertyName("line")] long Line);
}
