using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Connectors.Files;

namespace Sluice.Flows;

/// <summary>
/// A task instance's cache key: SHA-256 over the flow and task names, the task's definition with its references filled
/// in, the flow's parameters, its partition and item, its upstream results, and the content of its input files (those
/// <c>cache.inputs</c> matches, and a pipeline task's pipeline file). Any change to one of them is another key.
/// </summary>
internal static class CacheKeys
{
    public static async Task<string> ComputeAsync(string flow, FlowTask task, string definition, string baseDirectory,
        IReadOnlyDictionary<string, string> parameters, string? partition, string? item,
        IReadOnlyDictionary<string, JsonNode?> upstream, IEnumerable<string> inputPatterns, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string label, string? text)
        {
            // Length-prefixed, so that no two different sequences of texts hash the same bytes.
            byte[] bytes = Encoding.UTF8.GetBytes(text ?? "\u0000null");
            hash.AppendData(Encoding.UTF8.GetBytes($"{label}:{bytes.Length}:"));
            hash.AppendData(bytes);
        }
        Add("flow", flow);
        Add("task", task.Name);
        Add("definition", definition);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("param " + name, value);
        }
        Add("partition", partition);
        Add("item", item);
        foreach (var (name, result) in upstream.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("upstream " + name, result?.ToJsonString());
        }
        var files = inputPatterns.SelectMany(p => FileGlob.Expand(p, baseDirectory)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var buffer = new byte[81920];
        foreach (string file in files)
        {
            Add("file", Path.GetRelativePath(baseDirectory, file));
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            Add("length", stream.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
