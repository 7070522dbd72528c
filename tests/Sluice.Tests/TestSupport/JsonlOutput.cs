using System.Text.Json;

namespace Sluice.Tests.TestSupport;

/// <summary>Reads back what a <c>jsonl</c> sink published: the <c>id</c> of every line of every committed part file
/// (never the in-progress ones).</summary>
public static class JsonlOutput
{
    public static List<long> Ids(string folder) =>
        !Directory.Exists(folder) ? [] : Directory.GetFiles(folder, "*.jsonl")
            .SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64())
            .ToList();
}
