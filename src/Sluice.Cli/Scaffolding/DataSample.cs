using System.IO.Compression;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using ParquetSharp.Arrow;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Files;
using Sluice.Connectors.Parquet;
using Sluice.Records;

namespace Sluice.Cli.Scaffolding;

/// <summary>What <c>sluice init</c> learnt from the first records of a data file: its format, its columns and their
/// inferred types.</summary>
/// <param name="Source">The source type: <c>csv</c>, <c>jsonl</c> or <c>parquet</c>.</param>
/// <param name="Delimiter">A CSV file's field separator.</param>
/// <param name="RenamedDuplicates">A CSV header named a column twice: the columns carry the names the source gives them
/// with <c>duplicate_columns: rename</c>, which the scaffold must then set.</param>
internal sealed record DataSample(string Source, char Delimiter, IReadOnlyList<InferredColumn> Columns, long Records,
    bool RenamedDuplicates = false)
{
    /// <summary>Records read to infer types: enough to see most columns' values, quick on any file.</summary>
    public const int SampleRecords = 1000;

    /// <summary>Reads the sample, choosing the reader by the file's name.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read, or has no records: the message says which.</exception>
    public static async Task<DataSample> ReadAsync(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal))
            name = name[..^3];
        return Path.GetExtension(name) switch
        {
            ".csv" or ".txt" => Csv(path, ','),
            ".tsv" or ".tab" => Csv(path, '\t'),
            ".jsonl" or ".ndjson" or ".json" => Jsonl(path),
            ".parquet" or ".pq" => await ParquetAsync(path),
            _ => throw new InvalidDataException($"cannot tell the format of {path} from its name: init reads .csv, .tsv, .jsonl (.ndjson) and .parquet files"),
        };
    }

    private static DataSample Csv(string path, char delimiter)
    {
        try
        {
            string[] header = ReadHeader(path, delimiter);
            // One column whose name holds a ; or a | is a file separated by it (a European export, a log).
            char[] others = [';', '|', '\t'];
            if (header.Length == 1 && others.Any(header[0].Contains))
            {
                delimiter = others.MaxBy(c => header[0].Count(x => x == c));
                header = ReadHeader(path, delimiter);
            }
            using var reader = CsvRecordReader.Open(path, new CsvSourceOptions { Path = path, Delimiter = delimiter });
            reader.Read(); // the header, read above
            reader.ExpectedFields = header.Length;
            string[] names = CsvSource.Renamed(header);
            var guesses = names.Select(n => new TextColumnGuess(n)).ToList();
            long records = 0;
            while (records < SampleRecords && reader.Read() is var result && result is not (CsvReadResult.End or CsvReadResult.Unreadable))
            {
                if (result != CsvReadResult.Record)
                    continue; // a broken row is the source's to dead-letter; its values say nothing of the types
                records++;
                for (int i = 0; i < guesses.Count; i++)
                    guesses[i].Add(reader.FieldString(i));
            }
            return new DataSample("csv", delimiter, Infer(guesses, records, path), records, !names.SequenceEqual(header));
        }
        catch (UnreadableFileException e)
        {
            throw new InvalidDataException($"cannot read {path} as CSV: {e.Message}");
        }
    }

    private static string[] ReadHeader(string path, char delimiter)
    {
        using var reader = CsvRecordReader.Open(path, new CsvSourceOptions { Path = path, Delimiter = delimiter });
        if (reader.Read() != CsvReadResult.Record)
            throw new InvalidDataException($"{path} is empty or has no readable header line");
        return CsvSource.HeaderNames(reader);
    }

    private static DataSample Jsonl(string path)
    {
        var guesses = new List<TextColumnGuess>();
        var byName = new Dictionary<string, TextColumnGuess>(StringComparer.Ordinal);
        long records = 0;
        // Lines that are not objects are skipped, up to a bound: a big file of something else is not read to its end.
        foreach (string line in Lines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Take(SampleRecords * 10))
        {
            if (records == SampleRecords)
                break;
            if (ParseObject(line) is not { } record)
                continue; // not a JSON object: the source dead-letters it
            records++;
            var seen = new HashSet<TextColumnGuess>();
            foreach (JsonProperty property in record.EnumerateObject())
            {
                if (!byName.TryGetValue(property.Name, out var guess))
                {
                    guess = byName[property.Name] = new TextColumnGuess(property.Name);
                    // A key first seen in a later record was missing from the earlier ones.
                    for (long i = 1; i < records; i++)
                        guess.Add(null);
                    guesses.Add(guess);
                }
                seen.Add(guess);
                guess.Add(property.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => property.Value.GetString(),
                    _ => property.Value.GetRawText(),
                });
            }
            foreach (var missing in guesses.Where(g => !seen.Contains(g)))
                missing.Add(null);
        }
        if (records == 0)
            throw new InvalidDataException($"{path} has no JSON Lines records (one JSON object per line) to infer the columns' types from");
        return new DataSample("jsonl", ',', Infer(guesses, records, path), records);
    }

    /// <summary>The file's lines, decompressed when it starts with the gzip magic bytes, as the source's
    /// <c>compression: auto</c> reads it.</summary>
    private static IEnumerable<string> Lines(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        using var reader = new StreamReader(gzip ? new GZipStream(file, CompressionMode.Decompress) : file);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    private static JsonElement? ParseObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyList<InferredColumn> Infer(List<TextColumnGuess> guesses, long records, string path)
    {
        if (records == 0)
            throw new InvalidDataException($"{path} has no records to infer the columns' types from");
        return [.. guesses.Select(g => g.Infer(records))];
    }

    private static async Task<DataSample> ParquetAsync(string path)
    {
        try
        {
            using var file = new FileReader(path);
            using var batches = file.GetRecordBatchReader();
            using RecordBatch? batch = await batches.ReadNextRecordBatchAsync();
            if (batch is null || batch.Length == 0)
                throw new InvalidDataException($"{path} has no records to infer the columns' types from");
            int sampled = Math.Min(batch.Length, SampleRecords);
            var columns = new List<InferredColumn>();
            for (int i = 0; i < batch.Schema.FieldsList.Count; i++)
            {
                Field field = batch.Schema.FieldsList[i];
                // The source's own mapping: a column it cannot read would make it refuse the whole file.
                if (ParquetSourceTypes.Normalise(field.DataType, out string? problem) is not { } normalised)
                    throw new InvalidDataException($"column '{field.Name}' of {path}: {problem}; the parquet source cannot read this file");
                IArrowArray values = batch.Column(i);
                int? scale = normalised is Decimal128Type d ? d.Scale : null;
                bool required = !Enumerable.Range(0, sampled).Any(values.IsNull);
                columns.Add(new InferredColumn(field.Name, FieldTypes.FromArrow(normalised)!.Value, null, scale, required));
            }
            return new DataSample("parquet", ',', columns, sampled);
        }
        catch (ParquetSharp.ParquetException e)
        {
            // The words the parquet source would use for the same file, not the native exception's type name.
            string why = FileSniff.NotParquet(path) is { } looks ? $"it looks like {looks}" : $"it is a damaged Parquet file: {ParquetErrors.Plain(e)}";
            throw new InvalidDataException($"cannot read {path} as Parquet: {CliContext.OneLine(why)}");
        }
    }
}
