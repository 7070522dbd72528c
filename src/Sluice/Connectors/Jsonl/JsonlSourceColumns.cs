using System.Text;
using System.Text.Json;
using Sluice.Connectors.Files;
using Sluice.Contracts;
using Sluice.Pipelines;

namespace Sluice.Connectors.Jsonl;

/// <summary>
/// The keys a JSONL source emits as columns, how they were chosen (for the message when a record has another
/// key), and whether other keys are ignored rather than dead-lettered.
/// </summary>
internal sealed class JsonlSourceColumns
{
    private readonly byte[][] _utf8;
    private readonly string _origin;

    private JsonlSourceColumns(IReadOnlyList<string> names, bool dropUnknown, string origin)
    {
        Names = names;
        DropUnknown = dropUnknown;
        _origin = origin;
        _utf8 = names.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    public int Count => _utf8.Length;

    /// <summary>True when the downstream contract drops keys it does not name, so reading them is wasted work.</summary>
    public bool DropUnknown { get; }

    /// <summary>The columns of a source that cannot look at its records before the run (an API): the downstream
    /// contract's fields, else <paramref name="columns"/>; null when neither is known.</summary>
    public static JsonlSourceColumns? Declared(SourceReadHint? hint, IReadOnlyList<string>? columns)
    {
        if (hint is not null)
        {
            return new(hint.Columns, hint.UnknownFields == UnknownFields.Drop, "the contract's fields; name it in the contract");
        }
        return columns is null ? null : new(columns, false, "`columns`; add it there");
    }

    /// <summary>The columns; inferred ones come from the first file that can be read.</summary>
    public static JsonlSourceColumns Choose(JsonlSourceOptions options, SourceReadHint? hint, IReadOnlyList<string> files)
    {
        if (hint?.UnknownFields == UnknownFields.Drop)
        {
            return new(hint.Columns, true, "the contract's fields");
        }
        if (hint is null && options.Columns is not null)
        {
            return new(options.Columns, false, "`columns`; add it there");
        }
        var (firstFile, keys) = files.Select(f => (File: f, Keys: InferKeys(f, options))).FirstOrDefault(p => p.Keys is not null);
        string inferred = $"the first {options.InferRows} records of {firstFile ?? files[0]}";
        if (hint is not null)
        {
            var names = hint.Columns.ToList();
            var seen = names.ToHashSet(StringComparer.Ordinal);
            names.AddRange((keys ?? []).Where(seen.Add));
            return new(names, false, $"the contract's fields and the keys of {inferred}; name it in the contract");
        }
        return new(keys ?? [], false, $"the columns, which were fixed by {inferred}; name it in the contract or in `columns`");
    }

    /// <summary>Index of the column named by <paramref name="key"/> (unescaped UTF-8), or -1. Records tend to
    /// repeat one key order, so the column after the previous key is tried first.</summary>
    public int Find(ReadOnlySpan<byte> key, int expected)
    {
        if ((uint)expected < (uint)_utf8.Length && key.SequenceEqual(_utf8[expected]))
        {
            return expected;
        }
        for (int i = 0; i < _utf8.Length; i++)
        {
            if (key.SequenceEqual(_utf8[i]))
            {
                return i;
            }
        }
        return -1;
    }

    public string UnknownKeyMessage(string key) => $"key '{key}' is not among {_origin}";

    /// <summary>Top-level keys of the first <c>infer_rows</c> non-blank lines, in order of first appearance.
    /// Lines that do not parse add nothing here; the read dead-letters them. Null when the file cannot be read or
    /// holds no record, so that the next file is asked.</summary>
    private static List<string>? InferKeys(string file, JsonlSourceOptions options)
    {
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int records = options.InferRows;
        Stream stream;
        try
        {
            stream = TextInput.Open(file, options.Compression, options.Encoding, 1, FileOptions.SequentialScan, verify: false); // the read checks it
        }
        catch (UnreadableFileException)
        {
            return null; // it is dead-lettered when read
        }
        using var _ = stream;
        var lines = new JsonlLineReader(stream);
        int read = 0;
        while (read < records && lines.ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            lines.RetainFrom(lines.NextOffset);
            if (JsonlRecordReader.IsBlank(lines.Line))
            {
                continue;
            }
            read++;
            AddKeys(lines.Line, keys, seen);
        }
        return read == 0 ? null : keys;
    }

    private static void AddKeys(ReadOnlySpan<byte> line, List<string> keys, HashSet<string> seen)
    {
        var found = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                found.Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
            }
            while (reader.Read()) { } // a line with trailing garbage is not a record: its keys do not count
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return;
        }
        keys.AddRange(found.Where(seen.Add));
    }
}
