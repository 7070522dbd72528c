using System.CommandLine;
using Sluice.Lineage;
using Sluice.Pipelines;

namespace Sluice.Cli.Commands;

/// <summary><c>--lineage FILE|URL</c> of the commands that run pipelines: where OpenLineage run events go. Without it,
/// <c>OPENLINEAGE_URL</c> is honoured, as OpenLineage's own clients do.</summary>
internal static class LineageOption
{
    /// <summary>A file target in a folder that does not exist: every event would fail to be written, each a warning,
    /// so the typo is said once, before the run, instead.</summary>
    private static string? MissingFolder(string target)
    {
        if (target.Contains("://", StringComparison.Ordinal))
            return null;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(target));
        return folder is null || Directory.Exists(folder) ? null : $"no folder {folder} to write {Path.GetFileName(target)} into; create it or give another path";
    }

    public static Option<string?> Create() => new("--lineage")
    {
        Description = $"Send OpenLineage run events (START, then COMPLETE, FAIL or ABORT, with datasets, schemas and column lineage) to this file (JSON Lines, appended) or HTTP endpoint (a URL without a path gets /api/v1/lineage). Default: ${LineageOptions.UrlVariable} when set. Failing to send is a warning, never a failed run.",
        HelpName = "FILE|URL",
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            string? problem = new LineageOptions { Target = text }.Problem()
                ?? (Directory.Exists(text) ? $"{text} is a folder; give a file to append events to, e.g. {Path.Combine(text, "lineage.jsonl")}" : null)
                ?? MissingFolder(text);
            if (problem is not null)
            {
                result.AddError("--lineage: " + problem);
                return null;
            }
            return text;
        },
    };

    /// <summary>The options for the command line's <c>--lineage</c>, else <c>OPENLINEAGE_URL</c>; null for neither. A
    /// file is made absolute here, so that every run of the command (and a task's own process) appends to the same one.</summary>
    /// <exception cref="PipelineException">OPENLINEAGE_URL (or OPENLINEAGE_NAMESPACE) holds something unusable.</exception>
    public static LineageOptions? Value(ParseResult parsed, Option<string?> option)
    {
        var options = LineageOptions.FromEnvironment(parsed.GetValue(option));
        if (options?.Problem() is { } problem)
            throw new PipelineException(null, $"{LineageOptions.UrlVariable}: {problem}");
        return options is { Endpoint: null } ? options with { Target = Path.GetFullPath(options.Target) } : options;
    }
}
