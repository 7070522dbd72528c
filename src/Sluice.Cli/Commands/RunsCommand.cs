using System.CommandLine;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.State;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice runs</c>: the run history, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext context)
    {
        var pipeline = CommonOptions.Pipeline();
        var limit = CommonOptions.Limit(20);
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the runs");
        var command = new Command("runs", "List recent runs, newest first.") { pipeline, limit, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => ListAsync(context, parsed.GetValue(pipeline), parsed.GetValue(limit), parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    /// <summary>What each figure counts: with two sinks a record is written twice, so the run-wide figures balance
    /// only per sink, which <c>show</c> does.</summary>
    private static readonly string[] Legend =
    [
        "read: records the sources read; written: records the sinks wrote, once per sink (a record sent to two sinks counts twice);",
        "published: of those, the ones a checkpoint committed (in the output; less than written when the run stopped after its last checkpoint);",
        "filtered: records filters and dedupes dropped; dead: dead letters. Per sink, in = out + dead + filtered: `sluice show RUN`.",
    ];

    private static async Task<int> ListAsync(CliContext context, string? pipeline, int limit, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using IStateStore? store = await QueryStore.OpenExistingAsync(statePath);
        if (store is null)
        {
            if (context.Json)
                JsonDocuments.Write(context.Stdout, new RunsDocument(statePath, false, []));
            else
                context.Console.WriteLine(QueryStore.Missing(statePath));
            return ExitCodes.Ok;
        }

        IReadOnlyList<RunRecord> runs = await store.ListRunsAsync(pipeline, limit, ct);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new RunsDocument(statePath, true, [.. runs.Select(Item)]));
            return ExitCodes.Ok;
        }
        if (runs.Count == 0)
        {
            context.Console.WriteLine(pipeline is null ? "no runs yet" : $"no runs of pipeline '{pipeline}'");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("id", "pipeline", "kind", "state", "started (UTC)");
        foreach (string right in new[] { "duration", "read", "written", "published", "filtered", "dead" })
            table.AddColumn(new TableColumn(right).RightAligned());
        foreach (RunRecord run in runs)
        {
            table.AddRow(
                Markup.Escape(run.Id), Markup.Escape(run.Pipeline), Markup.Escape(run.Kind), Format.State(run.State), Format.Utc(run.StartedAt),
                Format.Duration(run.Duration), Format.Count(run.RecordsRead), Format.Count(run.RecordsWritten),
                Format.Count(run.RecordsPublished), Format.Count(run.Filtered), Format.Count(run.DeadLettered));
        }
        context.Console.Write(table);
        foreach (string line in Legend)
            context.Console.WriteLine(line);
        return ExitCodes.Ok;
    }

    private static RunListItem Item(RunRecord run) => new(
        run.Id, run.Pipeline, run.Kind, run.ParentRunId, Format.State(run.State), Times.Utc(run.StartedAt), Times.Utc(run.EndedAt),
        Times.Seconds(run.Duration), TotalsPart.Of(run));
}
