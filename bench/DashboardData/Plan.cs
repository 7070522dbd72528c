using System.Globalization;

namespace Sluice.DashboardData;

/// <summary>One run to write: its row in <c>runs</c> and how many dead letters it keeps. <see cref="Letters"/> is
/// decided first; the counts are then made to agree with it (<see cref="Counts"/>).</summary>
internal sealed class RunPlan(string id, PipelineShape shape, string kind, string? parent, DateTimeOffset start)
{
    public string Id { get; } = id;
    public PipelineShape Shape { get; } = shape;
    public string Kind { get; } = kind;
    public string? Parent { get; } = parent;
    public DateTimeOffset Start { get; } = start;
    public string State { get; set; } = "succeeded";
    public int Letters { get; set; }
    /// <summary>Dead letters the run counted but never stored: it broke its quality gate, so the final checkpoint that
    /// held them was not committed (what the engine does).</summary>
    public int Uncommitted { get; set; }
    public long Read { get; set; }
    public TimeSpan Duration { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? End => State == "running" ? null : Start + Duration;
}

/// <summary>A flow run of the nightly flow and the pipeline runs of its tasks (null for a command task).</summary>
internal sealed record FlowPlan(RunPlan Run, DateTimeOffset ScheduledFor, string Partition, RunPlan?[] TaskRuns);

/// <summary>
/// Decides every run of the file, oldest first: <c>--runs</c> in all, spread over the year before 1 December 2026
/// (a fixed end, so the same arguments make the same file). The last days have a nightly flow run each (1 flow run
/// and the 4 pipeline runs of its tasks; one day per 50 runs asked for, at most 365), so about a tenth of the runs
/// belong to flows; the rest are runs of the three pipelines, 1 % of them replays. About 40 % of the runs that can
/// have dead letters have some, few for most and many for some (a heavy tail), <c>--letters</c> in all; 2 % of the
/// others break their quality gate, 3 % of all runs fail and a few are cancelled or stopped; the newest clickstream
/// run is still running.
/// </summary>
internal static class Plan
{
    public static readonly DateTimeOffset End = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Span = TimeSpan.FromDays(365);

    public static (List<RunPlan> Runs, List<FlowPlan> Flows) Make(int runs, long letters, Random random)
    {
        int flowDays = Math.Min(365, runs / 50);
        int plain = runs - flowDays * 5;
        var all = new List<RunPlan>(runs);
        var flows = new List<FlowPlan>(flowDays);
        int weights = Shapes.Pipelines.Sum(shape => shape.Weight);
        var step = Span / Math.Max(plain, 1);
        for (int i = 0; i < plain; i++)
        {
            var start = End - Span + step * i + step * (random.NextDouble() / 2);
            int pick = random.Next(weights);
            var shape = Shapes.Pipelines.First(candidate => (pick -= candidate.Weight) < 0);
            string kind = random.NextDouble() < 0.01 ? "replay" : "pipeline";
            all.Add(new RunPlan(Id(start, all.Count), shape, kind, null, start));
        }
        for (int day = flowDays; day > 0; day--)
        {
            var scheduled = End.AddDays(-day).AddHours(7); // 02:00 in New York
            var flowStart = scheduled.AddMilliseconds(random.Next(20, 900));
            var flowRun = new RunPlan(Id(flowStart, all.Count), Shapes.Flights with { Name = "nightly" }, "flow", null, flowStart);
            all.Add(flowRun);
            var taskRuns = new RunPlan?[Shapes.NightlyTasks.Length];
            var taskStart = flowStart.AddSeconds(1);
            for (int t = 0; t < taskRuns.Length; t++)
            {
                if (Shapes.NightlyTasks[t].Pipeline is not { } shape)
                    continue;
                // validate runs first; the three metrics start together once it has ended.
                var start = t == 1 ? taskStart : taskStart.AddSeconds(3);
                taskRuns[t] = new RunPlan(Id(start, all.Count), shape, "pipeline", flowRun.Id, start);
                all.Add(taskRuns[t]!);
            }
            flows.Add(new FlowPlan(flowRun, scheduled, scheduled.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), taskRuns));
        }
        all.Sort((a, b) => a.Start.CompareTo(b.Start));
        AllocateLetters(all, letters, random);
        foreach (var run in all.Where(run => run.Kind != "flow"))
            Settle(run, random);
        foreach (var flow in flows)
            SettleFlow(flow, all);
        var newest = all.FindLast(run => run.Shape == Shapes.Clicks && run.Kind == "pipeline")!;
        (newest.State, newest.Error) = ("running", null);
        return (all, flows);
    }

    /// <summary>The engine's run id (RunIds.New): the start second, then six hex digits; here the run's number times
    /// an odd constant modulo 2^24, so ids never collide and still look drawn at random.</summary>
    private static string Id(DateTimeOffset start, int number) =>
        start.UtcDateTime.ToString("yyyyMMdd-HHmmss-", CultureInfo.InvariantCulture)
        + ((number * 0x9E3779L + 0x51ED27) & 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture);

    private static void AllocateLetters(List<RunPlan> runs, long total, Random random)
    {
        var weights = runs.Select(run => run.Shape.Letters.Length > 0 && run.Kind != "flow" && random.NextDouble() < 0.4
            ? Math.Exp(random.NextDouble() * 6) : 0).ToArray();
        double sum = weights.Sum();
        if (sum == 0)
            return;
        long given = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            runs[i].Letters = (int)(total * weights[i] / sum);
            given += runs[i].Letters;
        }
        // What rounding down left over goes one letter each to the runs that already have the most.
        foreach (int i in Enumerable.Range(0, runs.Count).OrderByDescending(i => weights[i]).Take((int)(total - given)))
            runs[i].Letters++;
    }

    /// <summary>State, records read, duration and error, agreeing with the letters: a run that kept letters stays
    /// under its 1 % quality gate; one that broke it kept none.</summary>
    private static void Settle(RunPlan run, Random random)
    {
        var shape = run.Shape;
        double draw = random.NextDouble();
        bool brokeGate = run.Letters == 0 && shape.Letters.Length > 0 && run.Kind == "pipeline" && random.NextDouble() < 0.02;
        if (brokeGate)
            run.Uncommitted = random.Next(50, 1_000);
        long records = run.Kind == "replay" ? random.Next(50, 5_000) : random.NextInt64(shape.MinRecords, shape.MaxRecords);
        run.Read = brokeGate ? run.Uncommitted * (long)random.Next(20, 60) : Math.Max(records, run.Letters * 150L);
        run.Duration = shape.TypicalDuration * (0.5 + random.NextDouble()) * Math.Sqrt((double)run.Read / shape.MaxRecords + 0.05);
        (run.State, run.Error) = brokeGate
            ? ("quality_gate_failed", FormattableString.Invariant(
                $"quality gate failed: {run.Uncommitted} of {run.Read} records dead-lettered ({100.0 * run.Uncommitted / run.Read:0.00} %), more than max_ratio 1.00 %"))
            : draw switch
            {
                < 0.03 => ("failed", Failure(shape, random)),
                < 0.035 => ("cancelled", null),
                < 0.045 => ("stopped", null),
                _ => ("succeeded", null),
            };
    }

    private static string Failure(PipelineShape shape, Random random) => (shape.Name, random.Next(2)) switch
    {
        ("clickstream", 0) => "stage 'table': 57P01: terminating connection due to administrator command",
        ("clickstream", _) => "stage 'read': It was not possible to connect to the redis server(s). UnableToConnect on redis.internal:6379/Interactive",
        (_, 0) => $"stage 'sink': No space left on device : '/srv/out/{shape.Name}/part-00000.parquet.inprogress'",
        _ => $"stage 'source': Could not find file '{shape.Input(End)}'",
    };

    /// <summary>A nightly flow run fails when its validate run did not succeed, and then its metrics tasks are
    /// skipped: they start no pipeline run. The flow run's times enclose its tasks'.</summary>
    private static void SettleFlow(FlowPlan flow, List<RunPlan> all)
    {
        var validate = flow.TaskRuns[1]!;
        bool failed = validate.State != "succeeded";
        var metrics = flow.TaskRuns.Skip(2).OfType<RunPlan>().ToList();
        if (failed)
        {
            all.RemoveAll(metrics.Contains);
            Array.Fill(flow.TaskRuns, null, 2, flow.TaskRuns.Length - 2);
        }
        var last = failed ? validate.End!.Value : metrics.Max(metric => metric.End!.Value);
        flow.Run.State = failed ? "failed" : "succeeded";
        flow.Run.Error = failed ? "task 'validate' failed: " + (validate.Error ?? "run " + validate.State) : null;
        flow.Run.Duration = last - flow.Run.Start + TimeSpan.FromMilliseconds(400);
    }
}
