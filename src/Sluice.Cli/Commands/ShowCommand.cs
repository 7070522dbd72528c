using System.CommandLine;
using Sluice.Cli.Rendering;
using Sluice.State;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice show RUN</c>: one run's details and per-stage counts.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        var run = new Argument<string>("RUN") { Description = "The run id, or a prefix of it that only one run has." };
        var state = CommonOptions.State();
        var command = new Command("show", "Show one run: its state, totals, per-stage counts and error.") { run, state };
        command.SetAction((parsed, ct) => context.GuardAsync(
            () => ShowAsync(context, parsed.GetValue(run)!, parsed.GetValue(state), ct), ct));
        return command;
    }

    private static async Task<int> ShowAsync(CliContext context, string idOrPrefix, string? stateOption, CancellationToken ct)
    {
        string statePath = StatePaths.ForQueries(stateOption);
        await using IStateStore? store = await QueryStore.OpenExistingAsync(statePath);
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        RunRecord? run = await store.FindRunAsync(idOrPrefix, ct);
        if (run is null)
            return context.Error(QueryStore.RunNotFound(idOrPrefix), ExitCodes.NotFound);

        var header = new Grid().AddColumn().AddColumn();
        void Field(string name, string value) => header.AddRow(new Text(name), new Text(value));
        Field("run", run.Id);
        Field("pipeline", run.Pipeline);
        Field("kind", run.Kind);
        if (run.ParentRunId is not null)
            Field("parent run", run.ParentRunId);
        Field("state", Format.State(run.State));
        Field("started (UTC)", Format.Utc(run.StartedAt));
        Field("ended (UTC)", Format.Utc(run.EndedAt));
        Field("duration", Format.Duration(run.Duration));
        Field("records", Format.Reconciliation(run));
        context.Console.Write(header);

        IReadOnlyList<StageCounts> stages = await store.GetStageCountsAsync(run.Id, ct);
        if (stages.Count > 0)
            context.Console.Write(StageTable.Summary(stages));
        if (run.Error is not null)
            context.Console.WriteLine("error: " + run.Error);
        if (run.DeadLettered > 0)
            context.Console.WriteLine($"dead letters: sluice dlq list --run {run.Id}");
        return ExitCodes.Ok;
    }
}
