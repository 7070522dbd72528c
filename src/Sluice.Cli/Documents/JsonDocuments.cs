using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Cli.Documents;

/// <summary>The serializer of every <c>--json</c> document: snake_case keys, nulls written (a key is always there,
/// so a script can tell "none" from "not supported"), generated at compile time (no reflection in the tool).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RunSummaryDocument))]
[JsonSerializable(typeof(RunDocument))]
[JsonSerializable(typeof(RunsDocument))]
[JsonSerializable(typeof(DeadLetterListDocument))]
[JsonSerializable(typeof(DeadLetterDocument))]
[JsonSerializable(typeof(ValidateDocument))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(FlowRunDocument))]
[JsonSerializable(typeof(FlowRunsDocument))]
[JsonSerializable(typeof(AlertsDocument))]
internal sealed partial class JsonDocuments : JsonSerializerContext
{
    /// <summary>Text as it is (<c>≤</c>, <c>é</c>), not as <c>\u2264</c>: the documents are read by people too. Control
    /// characters and quotes are still escaped, so the output is always valid JSON.</summary>
    private static readonly JsonDocuments Readable = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes <paramref name="document"/> to <paramref name="output"/> as one JSON document and a newline.</summary>
    public static void Write<T>(TextWriter output, T document) =>
        output.WriteLine(JsonSerializer.Serialize(document, typeof(T), Readable));
}
