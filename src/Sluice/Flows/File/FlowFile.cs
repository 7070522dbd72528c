using Sluice.Configuration;
using Sluice.Pipelines;

namespace Sluice.Flows;

/// <summary>Reads flow files (YAML) into <see cref="FlowDefinition"/>s.</summary>
public static class FlowFile
{
    /// <summary>Loads a flow file and checks it without running anything: its keys and values, the task graph, and
    /// every <c>${…}</c> reference. Throws <see cref="PipelineException"/> listing every problem with its
    /// <c>file:line:column</c>. Pipeline tasks' files are checked when they run (their parameters are known then).</summary>
    public static FlowDefinition Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new PipelineException(null, $"flow file '{path}' does not exist");
        }
        // Parameters null: the ${params.…} in a flow file are filled in when each task runs, not when it is read.
        var checker = new ShapeChecker(PipelineFile.DisplayPath(full), ComponentCatalog.BuiltIn) { Parameters = null };
        var root = PipelineFile.ReadYaml(full, checker, "expected a mapping with `name:` and `tasks:`");
        var flow = root is null ? null : new FlowReader(checker, Path.GetDirectoryName(full)!).Read(root);
        var problems = checker.Problems.ToList();
        if (flow is not null)
        {
            problems.AddRange(FlowChecks.Problems(flow));
        }
        if (problems.Count > 0 || flow is null)
        {
            throw new PipelineException(problems.Count > 0 ? Sorted(problems) : [new Diagnostic(null, $"{checker.File}: not a flow")]);
        }
        return flow with { SourceFile = full };
    }

    private static List<Diagnostic> Sorted(List<Diagnostic> problems) =>
        [.. problems.OrderBy(p => p.Location?.Line ?? 0).ThenBy(p => p.Location?.Column ?? 0)];

    /// <summary>The flow file's JSON Schema, from the same declarations the loader checks against.</summary>
    public static string JsonSchema() => PipelineSchema.FlowJsonSchema(FlowSpec.Root);

    /// <summary>The flow file reference (Markdown), from the same declarations.</summary>
    public static string Markdown() => FlowDocs.Generate();
}
