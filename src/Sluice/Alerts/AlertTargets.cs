using Sluice.Configuration;
using Sluice.Flows;
using Sluice.Pipelines;
using YamlDotNet.RepresentationModel;

namespace Sluice.Alerts;

/// <summary>What <c>sluice serve</c> and <c>sluice alerts check</c> judge: flows with a promise, and the pipelines
/// their pipeline tasks run that have one.</summary>
internal static class AlertTargets
{
    private static readonly ObjectShape PipelineKeys = new([
        PipelineSpec.Root.Find("name")!, PipelineSpec.Root.Find("freshness")!, PipelineSpec.Root.Find("sla")!, PipelineSpec.Root.Find("alerts")!,
    ]);

    /// <summary>The flows' targets and their pipeline tasks' (each pipeline once). A pipeline without an
    /// <c>alerts:</c> of its own sends to its flow's webhook. A task whose pipeline path holds a <c>${…}</c>
    /// reference is not followed: which file it runs is known only when it runs.</summary>
    public static List<AlertTarget> ForFlows(IEnumerable<FlowDefinition> flows, List<Diagnostic> problems)
    {
        var targets = new List<AlertTarget>();
        foreach (var flow in flows)
        {
            if (flow.Alerts.Promises)
                targets.Add(new AlertTarget(AlertSubjectKind.Flow, flow.Name, flow.Alerts));
            foreach (var task in flow.Tasks)
            {
                if (task.Action is not PipelineTaskAction { Path: var path } || path.Contains("${", StringComparison.Ordinal))
                    continue;
                if (ForPipelineFile(Path.Combine(flow.BaseDirectory, path), problems) is { } pipeline
                    && !targets.Any(t => t.Kind == AlertSubjectKind.Pipeline && t.Name == pipeline.Name))
                {
                    targets.Add(pipeline.Policy.Webhook is null ? pipeline with { Policy = pipeline.Policy with { Webhook = flow.Alerts.Webhook } } : pipeline);
                }
            }
        }
        return targets;
    }

    /// <summary>A pipeline file's target, reading only its name and alert keys (the rest may need parameters or
    /// plugins, and is checked when it runs); null when it promises nothing or has problems (added).</summary>
    public static AlertTarget? ForPipelineFile(string path, List<Diagnostic> problems)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return null; // the flow run reports it, at the task
        var checker = new ShapeChecker(PipelineFile.DisplayPath(full), ComponentCatalog.BuiltIn) { Parameters = null };
        if (PipelineFile.ReadYaml(full, checker) is not { } root)
        {
            problems.AddRange(checker.Problems);
            return null;
        }
        var keys = new YamlMappingNode(root.Children.Where(e => e.Key is YamlScalarNode { Value: var k } && PipelineKeys.Find(k!) is not null));
        var node = checker.CheckRoot(keys, PipelineKeys, "pipeline")!;
        var policy = AlertReader.Read(node, checker.Problems);
        problems.AddRange(checker.Problems);
        return checker.Problems.Count == 0 && policy.Promises && node.GetString("name") is { } name
            ? new AlertTarget(AlertSubjectKind.Pipeline, name, policy)
            : null;
    }
}
