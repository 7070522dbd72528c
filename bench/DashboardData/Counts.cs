namespace Sluice.DashboardData;

/// <summary>A stage's counts as <c>run_stages</c> and a checkpoint's <c>counts</c> hold them.</summary>
internal sealed record StageTally(string Stage, string Kind, string[] Inputs, long In, long Out, long Filtered, long Dead, long BusyMs, long Retries);

/// <summary>Per-stage counts that balance as the engine's do: a stage's input is what its inputs put out (a source's
/// is the records read), and every record that enters a stage leaves it, is filtered, or is dead-lettered there.</summary>
internal static class Counts
{
    public static List<StageTally> Of(RunPlan run, IReadOnlyDictionary<string, int> lettersByStage, Random random)
    {
        var tallies = new List<StageTally>(run.Shape.Stages.Length);
        foreach (var stage in run.Shape.Stages)
        {
            long recordsIn = stage.Inputs.Length == 0 ? run.Read : stage.Inputs.Sum(input => tallies.First(t => t.Stage == input).Out);
            long dead = lettersByStage.GetValueOrDefault(stage.Name);
            // A filter drops a few percent, a dedupe well under one: what the examples' filters do to real data.
            long filtered = stage.Name switch
            {
                "filter" => (long)((recordsIn - dead) * random.NextDouble() * 0.05),
                "dedupe" => (long)((recordsIn - dead) * random.NextDouble() * 0.005),
                _ => 0,
            };
            // Busy time per record as the engine's stages spend it on this machine, roughly: parsing and writing
            // cost most, a transform little.
            double nanosecondsPerRecord = stage.Kind switch { "source" => 160, "sink" => 140, "contract" => 70, _ => 15 };
            long retries = stage.Kind == "sink" && random.NextDouble() < 0.02 ? random.Next(1, 4) : 0;
            tallies.Add(new StageTally(stage.Name, stage.Kind, stage.Inputs, recordsIn, recordsIn - dead - filtered, filtered, dead,
                (long)(recordsIn * nanosecondsPerRecord / 1e6), retries));
        }
        return tallies;
    }

    /// <summary>The counts a checkpoint part way through saw: each count scaled to the share of the run done.</summary>
    public static List<StageTally> Part(List<StageTally> final, double share) => share >= 1 ? final : final.Select(tally => tally with
    {
        In = (long)(tally.In * share), Out = (long)(tally.Out * share), Filtered = (long)(tally.Filtered * share),
        Dead = (long)(tally.Dead * share), BusyMs = (long)(tally.BusyMs * share), Retries = 0,
    }).ToList();
}
