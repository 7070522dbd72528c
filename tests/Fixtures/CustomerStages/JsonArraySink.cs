using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice;
using Sluice.Extensibility;

namespace CustomerStages;

/// <summary>
/// Keeps the rows written since the last checkpoint in memory; <see cref="PrepareAsync"/> writes them as one JSON
/// array to <c>part-{run}-{n}.json.inprogress</c> and fsyncs it (durable, invisible), <see cref="CommitAsync"/> renames
/// it to <c>.json</c> (publishing it; a second commit finds it renamed and does nothing). Memory grows with the rows of
/// one checkpoint: fine for small outputs, which is what this sink is for.
/// </summary>
public sealed class JsonArraySink(string folder, string runId, Schema schema, bool indent) : ISink
{
    private const string InProgress = ".inprogress";

    private readonly JsonArray _rows = [];
    private readonly List<string> _published = [];
    private int _sequence;

    public sealed class Options(JsonArraySinkOptions options) : ISinkOptions
    {
        public ISink CreateSink(Schema input, BuildContext context)
        {
            if (input.FieldsList.FirstOrDefault(f => f.DataType is not (StringType or Int64Type or DoubleType or BooleanType)) is { } field)
            {
                throw new PipelineException(null, $"json_array writes string, int64, float64 and bool columns; '{field.Name}' is {field.DataType.Name}");
            }
            return new JsonArraySink(context.Resolve(options.Path), context.RunId, input, options.Indent);
        }
    }

    public IReadOnlyList<string> Published => _published;

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        for (int row = 0; row < batch.Length; row++)
        {
            var record = new JsonObject();
            for (int c = 0; c < schema.FieldsList.Count; c++)
            {
                record[schema.FieldsList[c].Name] = Value(batch.Data.Column(c), row);
            }
            _rows.Add(record);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        if (_rows.Count == 0)
        {
            return new PreparedOutput("", []);
        }
        Directory.CreateDirectory(folder);
        string final = Path.Combine(folder, $"part-{runId}-{++_sequence:D5}.json");
        await using (var file = new FileStream(final + InProgress, FileMode.Create, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(file, _rows, new JsonSerializerOptions { WriteIndented = indent }, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        _rows.Clear();
        return new PreparedOutput(final, [final]);
    }

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > 0 && File.Exists(token + InProgress))
        {
            File.Move(token + InProgress, token, overwrite: true);
        }
        if (token.Length > 0 && !_published.Contains(token))
        {
            _published.Add(token);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask AbortAsync() => DiscardAbandonedAsync(runId, CancellationToken.None);

    public ValueTask DiscardAbandonedAsync(string run, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            foreach (string file in Directory.EnumerateFiles(folder, $"part-{run}-*{InProgress}"))
            {
                File.Delete(file);
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static JsonNode? Value(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray s => JsonValue.Create(s.GetString(row)),
        Int64Array i => JsonValue.Create(i.GetValue(row)),
        DoubleArray d => JsonValue.Create(d.GetValue(row)),
        BooleanArray b => JsonValue.Create(b.GetValue(row)),
        _ => throw new NotSupportedException(column.Data.DataType.Name),
    };
}
