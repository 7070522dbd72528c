using Sluice;

namespace Sluice.DashboardData;

/// <summary>Reads the filled file back through the engine's own store, read-only, as the CLI and the dashboard read
/// it: the schema must be the engine's latest, every value must parse, and the counts must be the ones written.</summary>
internal static class Check
{
    public static async Task<List<string>> FileAsync(string path, List<RunPlan> runs, Dictionary<(string Pipeline, string Reason), long> lettersBy)
    {
        var problems = new List<string>();
        await using var store = await SqliteStateStore.OpenReadOnlyAsync(path);

        long total = await store.CountDeadLettersAsync(new DeadLetterQuery());
        if (total != lettersBy.Values.Sum())
            problems.Add($"the store counts {total} dead letters, {lettersBy.Values.Sum()} were written");
        foreach (var ((pipeline, reason), written) in lettersBy)
        {
            DeadLetterReasons.TryParse(reason, out var parsed);
            long counted = await store.CountDeadLettersAsync(new DeadLetterQuery(Pipeline: pipeline, Reason: parsed));
            if (counted != written)
                problems.Add($"the store counts {counted} {reason} letters of {pipeline}, {written} were written");
        }

        var newest = runs.OrderByDescending(run => run.Start).ThenByDescending(run => run.Id, StringComparer.Ordinal).Take(50).Select(run => run.Id);
        var listed = (await store.ListRunsAsync(limit: 50)).Select(run => run.Id);
        if (!listed.SequenceEqual(newest))
            problems.Add("the store's 50 newest runs are not the 50 written last");

        // The newest run with letters, through every reader a run page uses.
        var run = runs.Last(run => run.Letters > 0);
        var stages = await store.GetStageCountsAsync(run.Id);
        if (stages.Count != run.Shape.Stages.Length || stages.Sum(stage => stage.DeadLettered) != run.Letters)
            problems.Add($"run {run.Id}: the store reads {stages.Count} stages with {stages.Sum(stage => stage.DeadLettered)} letters");
        if ((await store.ListCheckpointsAsync(run.Id)).Count == 0)
            problems.Add($"run {run.Id}: no checkpoint");
        var letters = await store.ListDeadLettersAsync(new DeadLetterQuery(RunId: run.Id, Limit: 1_000_000));
        if (letters.Count != run.Letters)
            problems.Add($"run {run.Id}: the store lists {letters.Count} letters, {run.Letters} were written");
        return problems;
    }
}
