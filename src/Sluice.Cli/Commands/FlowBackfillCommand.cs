using System.CommandLine;
using System.CommandLine.Parsing;
using Sluice.Flows;
using Sluice.Lineage;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice flow backfill FLOW_FILE --from DATE --to DATE</c>: runs a partitioned flow's missing and failed
/// partitions of a range (see <see cref="FlowBackfill"/>), a line per partition as it ends, then a summary.</summary>
internal static class FlowBackfillCommand
{
    internal static Command Create(CliContext context)
    {
        var file = new Argument<string>("FLOW_FILE") { Description = "The flow file; its flow must have `partitions:`." };
        var from = DateOption("--from", "The first day to fill, YYYY-MM-DD.");
        var to = DateOption("--to", "The last day to fill, YYYY-MM-DD (included).");
        var parallel = new Option<int>("--parallel")
        {
            Description = "Partitions' flow runs going on at once at most.",
            HelpName = "N",
            DefaultValueFactory = _ => 4,
            CustomParser = result => CommonOptions.WholeNumber(result, "--parallel", "a number of flow runs", min: 1, max: 1000) is { } n ? (int)n : 0,
        };
        var parameters = new Option<string[]>("--param") { Description = "A flow parameter for every partition's run (repeatable).", HelpName = "NAME=VALUE" };
        parameters.Validators.Add(result =>
        {
            foreach (string text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (text.IndexOf('=', StringComparison.Ordinal) < 1)
                    result.AddError($"--param takes NAME=VALUE; not '{text}'");
            }
        });
        var state = CommonOptions.State();
        var lineage = LineageOption.Create();
        var command = new Command("backfill", "Run a partitioned flow's missing and failed partitions between two days, each as its own flow run.")
        {
            file, from, to, parallel, parameters, state, lineage,
        };
        command.SetAction((parsed, ct) => context.GuardAsync(() => BackfillAsync(context, parsed.GetValue(file)!,
            new BackfillRequest(parsed.GetValue(from), parsed.GetValue(to))
            {
                Parallel = parsed.GetValue(parallel),
                Parameters = (parsed.GetValue(parameters) ?? []).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
            }, parsed.GetValue(state), LineageOption.Value(parsed, lineage), ct), ct));
        return command;
    }

    private static Option<DateOnly> DateOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DATE",
        Required = true,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (FlowPartitions.TryParseDate(text, out var day))
                return day;
            result.AddError($"{name} takes a day, YYYY-MM-DD (2024-01-31); not '{text}'");
            return default;
        },
    };

    private static async Task<int> BackfillAsync(CliContext context, string file, BackfillRequest request, string? stateOption, LineageOptions? lineage,
        CancellationToken ct)
    {
        if (!File.Exists(file))
            return context.Error($"no such flow file: {file}", ExitCodes.Invalid);
        var flow = FlowFile.Load(file);
        if (request.From > request.To)
            return context.Error($"--from {FlowPartitions.Key(request.From)} is after --to {FlowPartitions.Key(request.To)}: give the earlier day to --from", ExitCodes.Invalid);

        await using var store = await SqliteStateStore.OpenAsync(context.StatePath = StatePaths.ForPipeline(stateOption, file));
        BackfillResult result;
        try
        {
            result = await new FlowBackfill(store, CliFlowOptions.Create(lineage)).RunAsync(flow, request with { OnEnded = outcome => context.Stdout.WriteLine(Line(outcome)) }, ct);
        }
        catch (FlowException e)
        {
            return context.Error(e.Message, ExitCodes.Invalid); // the range or the flow does not fit: nothing ran
        }
        int failed = result.Ran.Count(r => !r.Succeeded);
        context.Stdout.WriteLine($"backfill {flow.Name} {FlowPartitions.Key(request.From)} to {FlowPartitions.Key(request.To)}: " +
            $"{result.Ran.Count} partition{(result.Ran.Count == 1 ? "" : "s")} run, {result.Ran.Count - failed} succeeded, {failed} did not; " +
            $"{result.AlreadySucceeded.Count} had succeeded already");
        if (ct.IsCancellationRequested)
            return context.Error("stopped: the partitions' runs going on were cancelled; the next backfill resumes them", ExitCodes.Cancelled);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    private static string Line(PartitionOutcome outcome) => outcome switch
    {
        { Result: { } r, Succeeded: true } => $"{outcome.Partition} succeeded: run {r.Run.Run.Id}{(r.Resumed ? " (resumed)" : "")}",
        { Result: { } r } => $"{outcome.Partition} {r.State.ToString().ToLowerInvariant()}: run {r.Run.Run.Id}: {CliContext.OneLine(outcome.Error ?? "")}",
        _ => $"{outcome.Partition} not run: {outcome.Error}",
    };
}
