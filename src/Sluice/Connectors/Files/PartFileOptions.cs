using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Connectors.Files;

/// <summary>The options every part-file sink has, declared once.</summary>
internal static class PartFileOptions
{
    public const long DefaultMaxRowsPerFile = 1_000_000;

    public static OptionSpec Path { get; } = new("path", Shape.String,
        "Folder the part files are written to (created if missing). Files appear under their final names (renamed from `.inprogress`) when the checkpoint that covers their rows commits, so a long run publishes as it goes. A run that writes no rows into a folder that has no part file yet leaves one empty part (Parquet: the columns and their types; CSV with a header: the header line; JSONL: nothing, it cannot name columns), so that a reader of the folder finds zero rows rather than no file.",
        Required: true, Example: "out/flights");

    public static OptionSpec MaxRowsPerFile { get; } = new("max_rows_per_file", Shape.Integer,
        "Rows per part file; a new file is started when one is full.", Default: "1000000");

    /// <summary>A positive integer option, or <paramref name="fallback"/> when it is absent.</summary>
    public static long PositiveInt64(ConfigNode node, string key, long fallback)
    {
        long value = node.GetInt64(key) ?? fallback;
        return value >= 1 ? value : throw new PipelineException(node[key]!.Location, $"{key} must be at least 1; write e.g. {key}: {fallback}");
    }
}
