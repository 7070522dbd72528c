using System.Text.Json;
using Sluice.Extensibility;

namespace Sluice.Redis.Source;

/// <summary>
/// The source's position: the consumer that read, and per stream key the id of the last entry delivered. Delivery is
/// in ascending id order per stream, so at a committed position every entry of that consumer's pending list with an
/// id at or below it is committed (written or dead-lettered), and every one above it is not.
/// JSON: <c>{"consumer":"…","streams":{"orders":"1700000000000-3"}}</c>.
/// </summary>
internal sealed record ReadPosition(string Consumer, IReadOnlyDictionary<string, StreamId> Streams)
{
    public StreamId Last(string stream) => Streams.GetValueOrDefault(stream, StreamId.Zero);

    public static ReadPosition? From(SourcePosition? position)
    {
        if (position is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(position.Value);
            var root = document.RootElement;
            string consumer = root.GetProperty("consumer").GetString() ?? "";
            var streams = new Dictionary<string, StreamId>(StringComparer.Ordinal);
            foreach (var stream in root.GetProperty("streams").EnumerateObject())
            {
                streams[stream.Name] = StreamId.Parse(stream.Value.GetString() ?? "");
            }
            return new ReadPosition(consumer, streams);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the checkpoint's position '{position.Value}' is not a redis_stream position: {e.Message}");
        }
    }

    public SourcePosition ToSource()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("consumer", Consumer);
            json.WriteStartObject("streams");
            foreach (var (stream, id) in Streams.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                json.WriteString(stream, id.ToString());
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return new SourcePosition(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
