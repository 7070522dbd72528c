using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using ParquetSharp.Arrow;

namespace Sluice.CrashHarness;

/// <summary>Reads the rows of a sink's published part files back (JSON Lines, CSV with a header, Parquet), with
/// parsers of its own so that the check does not trust the engine's readers. A row whose <c>grp</c> or <c>amount</c>
/// is text (JSON string, Parquet string column; in CSV, which has no types, a value that is no integer) is read as a
/// <see cref="ReplayedRow"/>, any other as an <see cref="OutputRow"/>; each comes back as its id and hash.</summary>
internal static class OutputReader
{
    public static IEnumerable<(long Id, ulong Hash)> Read(string file) => Path.GetExtension(file) switch
    {
        ".jsonl" => ReadJsonl(file),
        ".csv" => ReadCsv(file),
        ".parquet" => ReadParquet(file),
        _ => throw new InvalidDataException($"{file}: not a part file the harness knows"),
    };

    private static IEnumerable<(long, ulong)> ReadJsonl(string file)
    {
        foreach (string line in File.ReadLines(file))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            long id = root.GetProperty("id").GetInt64();
            var grp = root.GetProperty("grp");
            var amount = root.GetProperty("amount");
            string name = root.GetProperty("name").GetString()!;
            if (grp.ValueKind == JsonValueKind.String || amount.ValueKind == JsonValueKind.String)
            {
                string? Text(JsonElement e) => e.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => e.GetString(),
                    _ => e.GetRawText(),
                };
                yield return (id, new ReplayedRow(id, Text(grp)!, Text(amount), name).Hash());
                continue;
            }
            yield return (id, new OutputRow(id, grp.GetInt64(), amount.ValueKind == JsonValueKind.Null ? null : amount.GetInt64(), name).Hash());
        }
    }

    private static IEnumerable<(long, ulong)> ReadCsv(string file)
    {
        using var lines = File.ReadLines(file).GetEnumerator();
        if (!lines.MoveNext() || lines.Current != DataSet.Header)
        {
            throw new InvalidDataException($"{file}: does not start with the header {DataSet.Header}");
        }
        while (lines.MoveNext())
        {
            var fields = SplitCsv(lines.Current);
            if (fields.Count != 4)
            {
                throw new InvalidDataException($"{file}: line '{lines.Current}' has {fields.Count} fields");
            }
            long id = long.Parse(fields[0], CultureInfo.InvariantCulture);
            string? amountText = fields[2].Length == 0 ? null : fields[2];
            if (long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long grp)
                && (amountText is null || long.TryParse(amountText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                yield return (id, new OutputRow(id, grp, amountText is null ? null : long.Parse(amountText, CultureInfo.InvariantCulture), fields[3]).Hash());
            }
            else
            {
                yield return (id, new ReplayedRow(id, fields[1], amountText, fields[3]).Hash());
            }
        }
    }

    /// <summary>RFC 4180 fields of one line (the data has no line breaks inside fields).</summary>
    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>(4);
        int i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                for (i++; ; i++)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            text.Append('"');
                            i++;
                            continue;
                        }
                        i++;
                        break;
                    }
                    text.Append(line[i]);
                }
                fields.Add(text.ToString());
            }
            else
            {
                int comma = line.IndexOf(',', i);
                int end = comma < 0 ? line.Length : comma;
                fields.Add(line[i..end]);
                i = end;
            }
            if (i >= line.Length)
            {
                return fields;
            }
            i++; // the comma
        }
    }

    private static IEnumerable<(long, ulong)> ReadParquet(string file)
    {
        using var reader = new FileReader(file);
        using var batches = reader.GetRecordBatchReader();
        while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
        {
            using (batch)
            {
                var id = (Int64Array)batch.Column("id");
                var grp = batch.Column("grp");
                var amount = batch.Column("amount");
                var name = (StringArray)batch.Column("name");
                var rows = new (long, ulong)[batch.Length];
                for (int i = 0; i < batch.Length; i++)
                {
                    long key = id.GetValue(i)!.Value;
                    rows[i] = (grp, amount) switch
                    {
                        (Int64Array g, Int64Array a) => (key, new OutputRow(key, g.GetValue(i)!.Value, a.GetValue(i), name.GetString(i)).Hash()),
                        // The fixed contract's part files: both columns are strings.
                        (StringArray g, StringArray a) => (key, new ReplayedRow(key, g.GetString(i), a.IsNull(i) ? null : a.GetString(i), name.GetString(i)).Hash()),
                        _ => throw new InvalidDataException($"{file}: columns grp {grp.Data.DataType.Name} and amount {amount.Data.DataType.Name}, expected both int64 or both string"),
                    };
                }
                foreach (var row in rows)
                {
                    yield return row;
                }
            }
        }
    }
}
