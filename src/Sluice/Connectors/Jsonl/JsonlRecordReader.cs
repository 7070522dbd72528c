using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Apache.Arrow;

using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>
/// Parses one line into the text of each column. A line is checked completely before any value is appended, so a
/// bad line leaves the column builders untouched. Values are kept as spans of the line (or, for strings with
/// escapes, of a reused scratch buffer): nothing is allocated per good record.
/// </summary>
internal sealed class JsonlRecordReader
{
    private const byte Absent = 0, Null = 1, InLine = 2, InScratch = 3;

    private readonly JsonlSourceColumns _columns;
    private readonly byte[] _state;
    private readonly int[] _start;
    private readonly int[] _length;
    private byte[] _scratch = new byte[256];
    private int _scratchUsed;
    private byte[] _key = new byte[64];

    public JsonlRecordReader(JsonlSourceColumns columns)
    {
        _columns = columns;
        _state = new byte[columns.Count];
        _start = new int[columns.Count];
        _length = new int[columns.Count];
    }

    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <summary>Reads <paramref name="line"/>; null when it is a good record, else why it is not.</summary>
    public JsonlLineError? Parse(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line))
        {
            return new("utf8", null, $"the line is not valid UTF-8 (bad byte at column {FirstInvalidUtf8(line) + 1})");
        }
        System.Array.Clear(_state);
        _scratchUsed = 0;
        string? duplicate = null, unknown = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = reader.TokenType;
                reader.Skip();
                while (reader.Read()) { }
                return new("not_object", null, $"the line is a JSON {Describe(kind)}, not an object");
            }
            int expected = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = KeyOf(ref reader);
                int column = _columns.Find(key, expected);
                reader.Read();
                if (column < 0 || _state[column] != Absent)
                {
                    if (column >= 0)
                    {
                        duplicate ??= Encoding.UTF8.GetString(key);
                    }
                    else if (!_columns.DropUnknown)
                    {
                        unknown ??= Encoding.UTF8.GetString(key);
                    }
                    reader.Skip();
                    continue;
                }
                ReadValue(ref reader, column);
                expected = column + 1;
            }
            while (reader.Read()) { } // anything after the object other than white space throws
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a \u escape that is not a valid UTF-16 sequence, found when unescaping.
            return new("json", null, e.Message);
        }
        if (duplicate is not null)
        {
            return new("duplicate_key", duplicate, $"key '{duplicate}' appears more than once in the record");
        }
        return unknown is null ? null : new("unknown_key", unknown, _columns.UnknownKeyMessage(unknown));
    }

    /// <summary>Appends the values of the line last parsed without error, one per column.</summary>
    public void AppendTo(StringColumnBuilder[] builders, ReadOnlySpan<byte> line)
    {
        for (int i = 0; i < builders.Length; i++)
        {
            switch (_state[i])
            {
                case InLine: builders[i].Append(line.Slice(_start[i], _length[i])); break;
                case InScratch: builders[i].Append(_scratch.AsSpan(_start[i], _length[i])); break;
                default: builders[i].AppendNull(); break;
            }
        }
    }

    private ReadOnlySpan<byte> KeyOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        if (_key.Length < reader.ValueSpan.Length)
        {
            _key = new byte[reader.ValueSpan.Length];
        }
        return _key.AsSpan(0, reader.CopyString(_key));
    }

    private void ReadValue(ref Utf8JsonReader reader, int column)
    {
        int start = (int)reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                _state[column] = Null;
                return;
            case JsonTokenType.String when reader.ValueIsEscaped:
                // Unescaping never lengthens a string, so the escaped length is enough room.
                if (_scratch.Length - _scratchUsed < reader.ValueSpan.Length)
                {
                    System.Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchUsed + reader.ValueSpan.Length));
                }
                _state[column] = InScratch;
                _start[column] = _scratchUsed;
                _length[column] = reader.CopyString(_scratch.AsSpan(_scratchUsed));
                _scratchUsed += _length[column];
                return;
            case JsonTokenType.String:
                _state[column] = InLine;
                _start[column] = start + 1; // after the opening quote
                _length[column] = reader.ValueSpan.Length;
                return;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                _state[column] = InLine;
                _start[column] = start;
                _length[column] = (int)reader.BytesConsumed - start;
                return;
            default: // number, true, false: their text as written
                _state[column] = InLine;
                _start[column] = start;
                _length[column] = reader.ValueSpan.Length;
                return;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> line)
    {
        int index = 0;
        while (Rune.DecodeFromUtf8(line[index..], out _, out int consumed) == OperationStatus.Done)
        {
            index += consumed;
        }
        return index;
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

/// <summary>Why a line is not a record: the dead letter's rule, field and message.</summary>
internal sealed record JsonlLineError(string Rule, string? Field, string Message);
