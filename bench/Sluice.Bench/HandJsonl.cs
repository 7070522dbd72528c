using System.Globalization;
using System.Text.Json;

namespace Sluice.Bench;

/// <summary>JSON Lines for the hand-written job: the file read in 1 MiB blocks, split at newlines, each line
/// parsed with a <see cref="Utf8JsonReader"/>.</summary>
internal static class HandJsonl
{
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    public static void Read(string path, HandWriter writer)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int filled = 0;
        while (true)
        {
            int read = file.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            int start = 0;
            while (Array.IndexOf(buffer, (byte)'\n', start, filled - start) is var end and >= 0)
            {
                ReadLine(buffer.AsSpan(start, end - start), writer);
                start = end + 1;
            }
            if (read == 0)
            {
                if (start < filled)
                {
                    ReadLine(buffer.AsSpan(start, filled - start), writer); // the last line has no newline
                }
                return;
            }
            // Keep the partial line; grow the buffer when one line fills it.
            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    private static void ReadLine(ReadOnlySpan<byte> line, HandWriter writer)
    {
        if (line.Trim(" \r\t"u8).IsEmpty)
        {
            return;
        }
        try
        {
            if (TryParse(line, out var date, out long? delay, out long distance, out var origin, out var destination))
            {
                writer.Add(date, delay, distance, origin.Span, destination.Span);
                return;
            }
        }
        catch (JsonException)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A value of the wrong JSON type (a string where a number belongs), or a number that is no int64.
        }
        writer.Reject();
    }

    // One record's fields, in any order. False when a required field is missing or an unknown one is present
    // (the contract's unknown_fields: reject). Origin and destination are copied because they are kept past the line.
    private static bool TryParse(ReadOnlySpan<byte> line, out DateTimeOffset date, out long? delay, out long distance,
        out ReadOnlyMemory<byte> origin, out ReadOnlyMemory<byte> destination)
    {
        date = default;
        delay = null;
        distance = 0;
        origin = destination = default;
        bool hasDate = false, hasDistance = false, hasOrigin = false, hasDestination = false;
        var json = new Utf8JsonReader(line);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        Span<char> text = stackalloc char[64];
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueTextEquals("date"u8))
            {
                json.Read();
                DateTime parsed = default;
                hasDate = json.TokenType == JsonTokenType.String && json.ValueSpan.Length <= text.Length
                    && DateTime.TryParseExact(text[..json.CopyString(text)], TimestampFormat, CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out parsed);
                date = new DateTimeOffset(parsed, TimeSpan.Zero);
            }
            else if (json.ValueTextEquals("delay"u8))
            {
                json.Read();
                if (json.TokenType != JsonTokenType.Null)
                {
                    delay = json.GetInt64();
                }
            }
            else if (json.ValueTextEquals("distance"u8))
            {
                json.Read();
                hasDistance = json.TokenType == JsonTokenType.Number;
                distance = hasDistance ? json.GetInt64() : 0;
            }
            else if (json.ValueTextEquals("origin"u8))
            {
                json.Read();
                hasOrigin = json.TokenType == JsonTokenType.String;
                origin = hasOrigin ? CopyBytes(ref json) : default;
            }
            else if (json.ValueTextEquals("destination"u8))
            {
                json.Read();
                hasDestination = json.TokenType == JsonTokenType.String;
                destination = hasDestination ? CopyBytes(ref json) : default;
            }
            else
            {
                return false;
            }
        }
        return hasDate && hasDistance && hasOrigin && hasDestination;
    }

    private static byte[] CopyBytes(ref Utf8JsonReader json) =>
        json.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(json.GetString()!) : json.ValueSpan.ToArray();
}
