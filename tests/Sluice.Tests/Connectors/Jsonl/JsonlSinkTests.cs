using System.Globalization;
using System.Text.Json;
using Sluice.Tests.Connectors.Files;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Jsonl;

public class JsonlSinkTests
{
    [Fact]
    public async Task Writes_one_compact_object_per_line_in_the_documented_formats()
    {
        using var dir = new TempDir();

        var published = await SinkRows.WriteAsync("jsonl", dir.Path, [SinkRows.Sample.Take(3).ToList(), SinkRows.Sample.Skip(5).Take(1).ToList()]);

        string text = File.ReadAllText(published.Single());
        Assert.Equal(
            """{"flag":true,"count":42,"ratio":1.5,"price":12.3400,"name":"plain","day":"2024-02-29","at":"2024-02-29T13:45:06.123456Z"}""" + "\n" +
            """{"flag":false,"count":-9223372036854775808,"ratio":-0.1,"price":-99999999.9999,"name":"quote \" comma , semi ; \r\n crlf é \uD83D\uDE00","day":"1969-12-31","at":"1969-12-31T23:59:59.999999Z"}""" + "\n" +
            """{"flag":null,"count":null,"ratio":null,"price":null,"name":null,"day":null,"at":null}""" + "\n" +
            """{"flag":null,"count":-1,"ratio":null,"price":null,"name":"\"","day":null,"at":null}""" + "\n",
            text);
    }

    /// <summary>Parses each line with System.Text.Json into rows of CLR values.</summary>
    internal static List<object?[]> Read(string path)
    {
        var rows = new List<object?[]>();
        foreach (string line in File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var fields = doc.RootElement.EnumerateObject().ToList();
            Assert.Equal(SinkRows.Schema.FieldsList.Select(f => f.Name), fields.Select(f => f.Name));
            rows.Add(fields.Select((f, i) => Value(f.Value, i)).ToArray());
        }
        return rows;
    }

    private static object? Value(JsonElement value, int column) => value.ValueKind == JsonValueKind.Null ? null : column switch
    {
        0 => value.GetBoolean(),
        1 => value.GetInt64(),
        2 => value.GetDouble(), // a number, never a string: JSON Lines writes NaN and infinities as null
        3 => value.GetDecimal(),
        4 => value.GetString(),
        5 => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => DateTime.ParseExact(value.GetString()!, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
    };
}
