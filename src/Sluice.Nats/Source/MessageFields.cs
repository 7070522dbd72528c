using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Sluice.Nats.Source;

/// <summary>Why a message is not a record: the dead letter's rule, field and message.</summary>
internal sealed record MessageError(string Rule, string? Field, string Message);

/// <summary>
/// Reads a message's payload — one JSON object — into the source's columns, as text for the contract downstream to
/// type (a string's value, a number or <c>true</c>/<c>false</c> as written, a nested object or array as its JSON
/// text; <c>null</c> or a missing key is null). A payload is not a record when it holds more than
/// <c>max_message_bytes</c> (rule <c>too_large</c>), is not UTF-8 (<c>utf8</c>), not JSON (<c>json</c>), not an object
/// (<c>not_object</c>), repeats a key (<c>duplicate_key</c>) or has a key that is not a column while unknown keys are
/// not dropped (<c>unknown_key</c>). The same rules as the <c>jsonl</c> source's, so a line and a message read alike.
/// </summary>
internal sealed class MessageFields
{
    private readonly Dictionary<string, int> _index;
    private readonly string _origin;

    public MessageFields(IReadOnlyList<string> names, bool dropUnknown, string origin, long maxMessageBytes)
    {
        Names = names;
        DropUnknown = dropUnknown;
        MaxMessageBytes = maxMessageBytes;
        _origin = origin;
        _index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Names { get; }

    public bool DropUnknown { get; }

    public long MaxMessageBytes { get; }

    /// <summary>The payload's values by column (null where it has no such key), or why it is not a record.</summary>
    public MessageError? Read(ReadOnlySpan<byte> payload, string?[] values)
    {
        Array.Clear(values);
        if (payload.Length > MaxMessageBytes)
        {
            return new MessageError("too_large", null, $"the payload holds {payload.Length:N0} bytes, more than max_message_bytes ({MaxMessageBytes:N0})");
        }
        if (!Utf8.IsValid(payload))
        {
            return new MessageError("utf8", null, "the payload is not valid UTF-8");
        }
        if (payload.IsEmpty)
        {
            return new MessageError("json", null, "the payload is empty, not a JSON object");
        }
        string? duplicate = null, unknown = null;
        try
        {
            var reader = new Utf8JsonReader(payload);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = reader.TokenType;
                reader.Skip();
                while (reader.Read()) { }
                return new MessageError("not_object", null, $"the payload is a JSON {Describe(kind)}, not an object");
            }
            var seen = new bool[Names.Count];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                reader.Read();
                if (!_index.TryGetValue(key, out int column))
                {
                    if (!DropUnknown)
                    {
                        unknown ??= key;
                    }
                    reader.Skip();
                    continue;
                }
                if (seen[column])
                {
                    duplicate ??= key;
                    reader.Skip();
                    continue;
                }
                seen[column] = true;
                values[column] = Value(ref reader, payload);
            }
            while (reader.Read()) { } // anything after the object other than white space throws
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return new MessageError("json", null, e.Message);
        }
        if (duplicate is not null)
        {
            return new MessageError("duplicate_key", duplicate, $"key '{duplicate}' appears more than once in the message");
        }
        return unknown is null ? null : new MessageError("unknown_key", unknown, $"key '{unknown}' is not among {_origin}");
    }

    private static string? Value(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(payload[start..(int)reader.BytesConsumed]);
            default: // number, true, false: their text as written
                return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => "null",
    };
}
