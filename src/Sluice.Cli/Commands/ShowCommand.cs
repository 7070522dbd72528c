using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.Expectations;
using Sluice.Flows;
using Sluice.State;
using Sluice.State.Sqlite;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice show RUN</c>: one run's details, per-stage counts, checkpoints, published files and expectations.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext context)
    {
        var run = new Argument<string>("RUN") { Description = "The run id, or a prefix of it that only one run has." };
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the run, with all its checkpoints and published files");
        var command = new Command("show", "Show one run: its state, totals, per-stage counts, checkpoints, published files, expectations and error.") { run, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => ShowAsync(context, parsed.GetValue(run)!, parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    private static async Task<int> ShowAsync(CliContext context, string idOrPrefix, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using IStateStore? store = await QueryStore.OpenExistingAsync(statePath);
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        RunRecord? run = await store.FindRunAsync(idOrPrefix, ct);
        if (run is null)
            return context.Error(QueryStore.RunNotFound(idOrPrefix), ExitCodes.NotFound);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, await DocumentAsync(store, run, ct));
            return ExitCodes.Ok;
        }
        // A flow run has tasks, not stages: show it as `sluice flow show` does.
        if (run.Kind == RunKinds.Flow && store is SqliteStateStore sqlite && new SqliteFlowStore(sqlite) is var flows
            && await flows.FindFlowRunAsync(run.Id, ct) is { } flowRun)
        {
            await FlowCommand.WriteAsync(context.Console, flows, flowRun, await flows.ListTasksAsync(run.Id, ct), events: false, ct);
            return ExitCodes.Ok;
        }

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
        IReadOnlyList<StageCounts> stages = await store.GetStageCountsAsync(run.Id, ct);
        CheckpointRecord? last = await store.GetLatestCheckpointAsync(run.Id, ct);
        Field("records", $"read {Format.Count(run.RecordsRead)}, written {Format.Count(run.RecordsWritten)}, " +
            $"published {Format.Count(run.RecordsPublished)}, filtered {Format.Count(run.Filtered)}, dead {Format.Count(run.DeadLettered)}");
        foreach (string line in Format.Balances(run, SinkBalance.Of(stages, last?.Counts)))
            Field("", line);
        context.Console.Write(header);

        if (stages.Count > 0)
            context.Console.Write(StageTable.Summary(stages));
        foreach (string line in StageTable.FailureLines(stages))
            context.Console.WriteLine(line);
        IReadOnlyList<CheckpointSummary> checkpoints = await store.ListCheckpointsAsync(run.Id, ct);
        if (checkpoints.Count > 0)
            WriteCheckpoints(context.Console, checkpoints);
        IReadOnlyList<CommittedFile> published = await store.ListCommittedFilesAsync(run.Id, ct);
        if (published.Count > 0)
            WritePublished(context.Console, published);
        IReadOnlyList<ExpectationResult> expectations = await store.GetExpectationResultsAsync(run.Id, ct);
        if (expectations.Count > 0)
            WriteExpectations(context.Console, expectations);
        foreach (RunNote note in await store.GetRunNotesAsync(run.Id, ct))
            context.Console.WriteLine(note.ToString());
        if (run.Error is not null)
            context.Console.WriteLine("error: " + run.Error);
        if (run.DeadLettered > 0)
        {
            long queued = await store.CountDeadLettersAsync(new DeadLetterQuery(RunId: run.Id), ct);
            context.Console.WriteLine(Format.DeadLetters(run.DeadLettered, queued, $"sluice dlq list --run {run.Id}"));
        }
        return ExitCodes.Ok;
    }

    private static async Task<RunDocument> DocumentAsync(IStateStore store, RunRecord run, CancellationToken ct)
    {
        IReadOnlyList<StageCounts> stages = await store.GetStageCountsAsync(run.Id, ct);
        CheckpointRecord? last = await store.GetLatestCheckpointAsync(run.Id, ct);
        IReadOnlyList<CheckpointSummary> checkpoints = await store.ListCheckpointsAsync(run.Id, ct);
        IReadOnlyList<CommittedFile> published = await store.ListCommittedFilesAsync(run.Id, ct);
        IReadOnlyList<ExpectationResult> expectations = await store.GetExpectationResultsAsync(run.Id, ct);
        var (notes, warnings) = NotePart.Split(await store.GetRunNotesAsync(run.Id, ct));
        long queued = run.DeadLettered > 0 ? await store.CountDeadLettersAsync(new DeadLetterQuery(RunId: run.Id), ct) : 0;
        return new RunDocument(
            run.Id, run.Pipeline, run.Kind, run.ParentRunId, Format.State(run.State), Times.Utc(run.StartedAt), Times.Utc(run.EndedAt),
            Times.Seconds(run.Duration), TotalsPart.Of(run), StagePart.Of(stages), SinkPart.Of(SinkBalance.Of(stages, last?.Counts)),
            [.. checkpoints.Select(c => new CheckpointPart(c.Id.ToString(CultureInfo.InvariantCulture), Times.Utc(c.CreatedAt), c.RecordsCommitted, c.Duration.TotalSeconds))],
            [.. published.Select(f => new PublishedFilePart(f.Path, f.Stage))],
            ExpectationPart.Of(expectations), notes, warnings,
            new DeadLettersPart(run.DeadLettered, queued, run.DeadLettered > 0 ? $"sluice dlq list --run {run.Id}" : null),
            run.Error);
    }

    /// <summary>The files the run's checkpoints made visible (the newest, for a long run): where its output is.</summary>
    private static void WritePublished(IAnsiConsole console, IReadOnlyList<CommittedFile> files)
    {
        const int Shown = 10;
        if (files.Count > Shown)
            console.WriteLine($"published {files.Count} files; the newest {Shown}:");
        foreach (CommittedFile file in files.TakeLast(Shown))
            console.WriteLine($"published {file.Path} ({file.Stage})");
    }

    private static void WriteExpectations(IAnsiConsole console, IReadOnlyList<ExpectationResult> expectations)
    {
        var table = new Table().RoundedBorder().AddColumn("expectation").AddColumn("measured").AddColumn("result");
        foreach (ExpectationResult e in expectations)
            table.AddRow(Markup.Escape(e.Expectation), Markup.Escape(e.Measured), e.Outcome);
        console.Write(table);
    }

    /// <summary>The newest checkpoints (a long run has thousands), how many there are and how long they took.</summary>
    private static void WriteCheckpoints(IAnsiConsole console, IReadOnlyList<CheckpointSummary> checkpoints)
    {
        const int Shown = 20;
        var table = new Table().RoundedBorder()
            .AddColumn("checkpoint").AddColumn("created (UTC)").AddColumn(new TableColumn("records committed").RightAligned())
            .AddColumn(new TableColumn("took").RightAligned());
        foreach (CheckpointSummary c in checkpoints.TakeLast(Shown))
            table.AddRow(c.Id.ToString(CultureInfo.InvariantCulture), Format.Utc(c.CreatedAt), c.RecordsCommitted.ToString("N0", CultureInfo.InvariantCulture), Format.Duration(c.Duration));
        console.Write(table);
        string earlier = checkpoints.Count > Shown ? $" ({checkpoints.Count - Shown} earlier not shown)" : "";
        // Checkpoints overlap (several may be in flight), so their times are a range, not a sum.
        console.WriteLine($"checkpoints {checkpoints.Count}{earlier}; each took {Format.Duration(checkpoints.Min(c => c.Duration))} " +
            $"to {Format.Duration(checkpoints.Max(c => c.Duration))} from request to publication");
    }
}
