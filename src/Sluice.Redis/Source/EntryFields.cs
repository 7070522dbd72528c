using System.Text;
using System.Text.Json;

namespace Sluice.Redis.Source;

/// <summary>Why an entry is not a record: the dead letter's rule, field and message.</summary>
internal sealed record EntryError(string Rule, string? Field, string Message);

/// <summary>
/// Turns an entry's fields (name and value bytes, in entry order) into the source's columns, and back and forth to
/// the JSON object a dead letter keeps as the entry's original bytes. An entry is not a record when a field name or
/// value is not UTF-8 text (rule <c>not_utf8</c>), a field comes twice (<c>duplicate_field</c>), a field is not a
/// column and unknown fields are not dropped (<c>unknown_field</c>), or its fields are larger than
/// <c>max_entry_bytes</c> (<c>too_large</c>). A field a record lacks is null.
/// </summary>
internal sealed class EntryFields
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const string Base64Prefix = "base64:";

    private readonly Dictionary<string, int> _index;
    private readonly string _origin;

    public EntryFields(IReadOnlyList<string> names, bool dropUnknown, string origin, long maxEntryBytes)
    {
        Names = names;
        DropUnknown = dropUnknown;
        MaxEntryBytes = maxEntryBytes;
        _origin = origin;
        _index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Names { get; }

    public bool DropUnknown { get; }

    public long MaxEntryBytes { get; }

    /// <summary>The entry's values by column (null where it has no such field), or why it is not a record.</summary>
    public EntryError? Read(IReadOnlyList<(byte[] Name, byte[] Value)> fields, string?[] values)
    {
        Array.Clear(values);
        long size = fields.Sum(f => (long)f.Name.Length + f.Value.Length);
        if (size > MaxEntryBytes)
        {
            return new EntryError("too_large", null, $"the entry's fields hold {size:N0} bytes, more than max_entry_bytes ({MaxEntryBytes:N0})");
        }
        var seen = new bool[Names.Count];
        foreach (var (nameBytes, valueBytes) in fields)
        {
            if (Decode(nameBytes) is not { } name)
            {
                return new EntryError("not_utf8", null, "a field name is not UTF-8 text");
            }
            if (!_index.TryGetValue(name, out int column))
            {
                if (DropUnknown)
                {
                    continue;
                }
                return new EntryError("unknown_field", name, $"field '{name}' is not among {_origin}");
            }
            if (seen[column])
            {
                return new EntryError("duplicate_field", name, $"field '{name}' appears twice in the entry");
            }
            seen[column] = true;
            values[column] = Decode(valueBytes);
            if (values[column] is null)
            {
                return new EntryError("not_utf8", name, $"the value of field '{name}' is not UTF-8 text");
            }
        }
        return null;
    }

    /// <summary>The entry as a JSON object of field → value, in entry order: deterministic bytes for a dead letter.
    /// A value that is not UTF-8 is written <c>{"base64":"…"}</c>, a name that is not as <c>"base64:…"</c>; at most
    /// <see cref="MaxEntryBytes"/> bytes are kept (an entry too large to read is cut there).</summary>
    public byte[] ToJson(IReadOnlyList<(byte[] Name, byte[] Value)> fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                json.WritePropertyName(Decode(name) ?? Base64Prefix + Convert.ToBase64String(name));
                if (Decode(value) is { } text)
                {
                    json.WriteStringValue(text);
                }
                else
                {
                    json.WriteStartObject();
                    json.WriteString("base64", Convert.ToBase64String(value));
                    json.WriteEndObject();
                }
            }
            json.WriteEndObject();
        }
        byte[] bytes = buffer.ToArray();
        return bytes.Length <= MaxEntryBytes ? bytes : bytes[..(int)Math.Min(MaxEntryBytes, int.MaxValue)];
    }

    /// <summary>The fields of an entry as <see cref="ToJson"/> wrote them; null when the bytes are not such an object.</summary>
    public static List<(byte[] Name, byte[] Value)>? FromJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            var fields = new List<(byte[], byte[])>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                byte[] nameBytes = name.StartsWith(Base64Prefix, StringComparison.Ordinal) && TryBase64(name[Base64Prefix.Length..]) is { } raw && Decode(raw) is null
                    ? raw
                    : Encoding.UTF8.GetBytes(name);
                reader.Read();
                byte[] value;
                if (reader.TokenType == JsonTokenType.String)
                {
                    value = Encoding.UTF8.GetBytes(reader.GetString()!);
                }
                else if (reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                    && reader.ValueTextEquals("base64"u8) && reader.Read() && reader.TokenType == JsonTokenType.String
                    && TryBase64(reader.GetString()!) is { } decoded && reader.Read() && reader.TokenType == JsonTokenType.EndObject)
                {
                    value = decoded;
                }
                else
                {
                    return null;
                }
                fields.Add((nameBytes, value));
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return null;
            }
            return fields;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Decode(byte[] bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
