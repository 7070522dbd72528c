namespace Sluice.Pipelines;

/// <summary>
/// Checks the shape of a pipeline's graph — unique names, known inputs, sources without inputs, every other
/// stage with at least one, no cycles, no stage whose output goes nowhere — and orders its stages so that
/// every stage comes after its inputs.
/// </summary>
internal static class PipelineGraph
{
    /// <summary>The stages in an order where each comes after all its inputs. Throws <see cref="PipelineException"/>
    /// listing every problem.</summary>
    public static IReadOnlyList<StageDefinition> Order(PipelineDefinition pipeline)
    {
        var problems = new List<Diagnostic>();
        var byName = new Dictionary<string, StageDefinition>(StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages)
        {
            if (!byName.TryAdd(stage.Name, stage))
            {
                problems.Add(new(stage.Location, $"two stages are named '{stage.Name}'; give each stage a unique name"));
            }
        }
        if (!pipeline.Stages.Any(s => s.Kind == StageKind.Source))
        {
            problems.Add(new(null, "the pipeline has no source; add a `source:` (or a stage with `source:`)"));
        }
        if (!pipeline.Stages.Any(s => s.Kind == StageKind.Sink))
        {
            problems.Add(new(null, "the pipeline has no sink; add a `sink:` (or a stage with `sink:`)"));
        }
        foreach (var stage in pipeline.Stages)
        {
            CheckInputs(stage, byName, problems);
        }
        var consumed = pipeline.Stages.SelectMany(s => s.Inputs).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in pipeline.Stages.Where(s => s.Kind != StageKind.Sink && !consumed.Contains(s.Name)))
        {
            problems.Add(new(stage.Location, $"the output of stage '{stage.Name}' goes nowhere; feed it to a sink (`from: {stage.Name}`) or remove it"));
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        return TopologicalOrder(pipeline.Stages, byName);
    }

    private static void CheckInputs(StageDefinition stage, Dictionary<string, StageDefinition> byName, List<Diagnostic> problems)
    {
        if (stage.Kind == StageKind.Source && stage.Inputs.Count > 0)
        {
            problems.Add(new(stage.Location, $"source '{stage.Name}' cannot have inputs; remove `from:`"));
        }
        if (stage.Kind != StageKind.Source && stage.Inputs.Count == 0)
        {
            problems.Add(new(stage.Location, $"stage '{stage.Name}' has no input; say where it reads from with `from: <stage>`"));
        }
        foreach (var input in stage.Inputs)
        {
            if (!byName.TryGetValue(input, out var upstream))
            {
                problems.Add(new(stage.Location, $"stage '{stage.Name}' reads from '{input}', which does not exist; stages are: {string.Join(", ", byName.Keys)}"));
            }
            else if (upstream.Kind == StageKind.Sink)
            {
                problems.Add(new(stage.Location, $"stage '{stage.Name}' reads from sink '{input}'; a sink has no output"));
            }
        }
    }

    private static List<StageDefinition> TopologicalOrder(IReadOnlyList<StageDefinition> stages, Dictionary<string, StageDefinition> byName)
    {
        var order = new List<StageDefinition>(stages.Count);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path, true: done
        foreach (var stage in stages)
        {
            Visit(stage, byName, state, order, []);
        }
        return order;
    }

    private static void Visit(StageDefinition stage, Dictionary<string, StageDefinition> byName, Dictionary<string, bool> state,
        List<StageDefinition> order, List<string> path)
    {
        if (state.TryGetValue(stage.Name, out bool done))
        {
            if (!done)
            {
                string cycle = string.Join(" → ", path.SkipWhile(n => n != stage.Name).Append(stage.Name));
                throw new PipelineException(stage.Location, $"the stages form a cycle: {cycle}; a pipeline must be acyclic");
            }
            return;
        }
        state[stage.Name] = false;
        path.Add(stage.Name);
        foreach (var input in stage.Inputs)
        {
            Visit(byName[input], byName, state, order, path);
        }
        path.RemoveAt(path.Count - 1);
        state[stage.Name] = true;
        order.Add(stage);
    }
}
