using System.Text;
using System.Text.Json;

namespace Sluice.State.Sqlite;

/// <summary>The JSON columns of a checkpoint row, written and read by hand (no reflection), so the format is
/// exactly what the migration's comment says and stays readable with SQLite's json functions.</summary>
internal static class CheckpointJson
{
    public static string WriteMap(IReadOnlyDictionary<string, string> map)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in map.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyDictionary<string, string> ReadMap(string text)
    {
        using var document = JsonDocument.Parse(text);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            map.Add(property.Name, property.Value.GetString()!);
        }
        return map;
    }

    public static string WriteCounts(IReadOnlyList<StageCounts> counts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var stage in counts)
            {
                json.WriteStartObject();
                json.WriteString("stage", stage.Stage);
                json.WriteString("kind", SqliteValues.Code(stage.Kind));
                json.WriteNumber("in", stage.In);
                json.WriteNumber("out", stage.Out);
                json.WriteNumber("filtered", stage.Filtered);
                json.WriteNumber("dead_lettered", stage.DeadLettered);
                json.WriteNumber("busy_ms", SqliteValues.Milliseconds(stage.Busy));
                json.WriteNumber("retries", stage.Retries);
                json.WriteNumber("timeouts", stage.Timeouts);
                json.WriteNumber("circuit_openings", stage.CircuitOpenings);
                json.WriteNumber("circuit_closings", stage.CircuitClosings);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyList<StageCounts> ReadCounts(string text)
    {
        using var document = JsonDocument.Parse(text);
        var counts = new List<StageCounts>();
        foreach (var stage in document.RootElement.EnumerateArray())
        {
            counts.Add(new StageCounts(
                stage.GetProperty("stage").GetString()!,
                SqliteValues.ParseStageKind(stage.GetProperty("kind").GetString()!),
                stage.GetProperty("in").GetInt64(),
                stage.GetProperty("out").GetInt64(),
                stage.GetProperty("filtered").GetInt64(),
                stage.GetProperty("dead_lettered").GetInt64(),
                TimeSpan.FromMilliseconds(stage.GetProperty("busy_ms").GetInt64()))
            {
                // Absent from checkpoints written before these were counted.
                Retries = Optional(stage, "retries"),
                Timeouts = Optional(stage, "timeouts"),
                CircuitOpenings = Optional(stage, "circuit_openings"),
                CircuitClosings = Optional(stage, "circuit_closings"),
            });
        }
        return counts;
    }

    private static long Optional(JsonElement stage, string name) => stage.TryGetProperty(name, out var value) ? value.GetInt64() : 0;
}
