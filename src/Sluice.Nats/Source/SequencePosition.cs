using System.Globalization;
using System.Text.Json;
using Sluice.Extensibility;

namespace Sluice.Nats.Source;

/// <summary>
/// The source's position: the stream, and the stream sequence of the last message delivered. Delivery is in
/// ascending sequence order, so at a committed position every message of the consumer at or below the sequence is
/// committed (written or dead-lettered) and none above it is. The stream's creation time tells a stream deleted and
/// created again under the same name (numbered anew) from the one the position was taken in.
/// JSON: <c>{"stream":"ORDERS","created":"2026-12-05T10:00:00.0000000+00:00","seq":1234}</c>.
/// </summary>
internal sealed record SequencePosition(string Stream, string Created, ulong Sequence)
{
    public static SequencePosition? From(SourcePosition? position)
    {
        if (position is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(position.Value);
            var root = document.RootElement;
            return new SequencePosition(root.GetProperty("stream").GetString() ?? "", root.GetProperty("created").GetString() ?? "", root.GetProperty("seq").GetUInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the checkpoint's position '{position.Value}' is not a nats_jetstream position: {e.Message}");
        }
    }

    public SourcePosition ToSource() =>
        new(string.Create(CultureInfo.InvariantCulture, $"{{\"stream\":{JsonSerializer.Serialize(Stream)},\"created\":{JsonSerializer.Serialize(Created)},\"seq\":{Sequence}}}"));

    /// <summary>The form <see cref="Created"/> takes: the stream's creation time, round-trip precision.</summary>
    public static string CreatedText(DateTimeOffset created) => created.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
