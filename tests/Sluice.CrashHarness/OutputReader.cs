using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using ParquetSharp.Arrow;

namespace Sluice.CrashHarness;

/// <summary>Reads the rows of a sink's published part files back (JSON Lines, CSV with a header, Parquet), with
/// parsers of its own so that the check does not trust the engine's readers.</summary>
internal static class OutputReader
{
    public static IEnumerable<OutputRow> Read(string file) => Path.GetExtension(file) switch
    {
        ".jsonl" => ReadJsonl(file),
        ".csv" => ReadCsv(file),
        ".parquet" => ReadParquet(file),
        _ => throw new InvalidDataException($"{file}: not a part file the harness knows"),
    };

    private static IEnumerable<OutputRow> ReadJsonl(string file)
    {
        foreach (string line in File.ReadLines(file))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var amount = root.GetProperty("amount");
            yield return new OutputRow(root.GetProperty("id").GetInt64(), root.GetProperty("grp").GetInt64(),
                amount.ValueKind == JsonValueKind.Null ? null : amount.GetInt64(), root.GetProperty("name").GetString()!);
        }
    }

    private static IEnumerable<OutputRow> ReadCsv(string file)
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
            yield return new OutputRow(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture),
                fields[2].Length == 0 ? null : long.Parse(fields[2], CultureInfo.InvariantCulture), fields[3]);
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

    private static IEnumerable<OutputRow> ReadParquet(string file)
    {
        using var reader = new FileReader(file);
        using var batches = reader.GetRecordBatchReader();
        while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
        {
            using (batch)
            {
                var id = (Int64Array)batch.Column("id");
                var grp = (Int64Array)batch.Column("grp");
                var amount = (Int64Array)batch.Column("amount");
                var name = (StringArray)batch.Column("name");
                var rows = new OutputRow[batch.Length];
                for (int i = 0; i < batch.Length; i++)
                {
                    rows[i] = new OutputRow(id.GetValue(i)!.Value, grp.GetValue(i)!.Value, amount.GetValue(i), name.GetString(i));
                }
                foreach (var row in rows)
                {
                    yield return row;
                }
            }
        }
    }
}
