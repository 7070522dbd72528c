using Sluice.State.Sqlite;
using System.CommandLine;
using Sluice.Cli.Documents;
using Sluice.Cli.Rendering;
using Sluice.DeadLetters;
using Sluice.State;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice dlq list|show|purge|replay</c>: the dead-letter queue — what was rejected, where, why, and its
/// bytes; replaying it once the cause is fixed.</summary>
internal static class DlqCommand
{
    private static readonly string ValidReasons = string.Join(", ", Enum.GetValues<DeadLetterReason>().Select(r => r.Code()));

    public static Command Create(CliContext context) =>
        new("dlq", "Dead letters — records rejected by parsing, a contract, a transform or a sink: list, show, replay once fixed, purge.")
        {
            List(context),
            Show(context),
            Purge(context),
            DlqReplayCommand.Create(context),
        };

    internal static Option<string?> ReasonOption()
    {
        var reason = new Option<string?>("--reason") { Description = $"Only this reason: {ValidReasons}.", HelpName = "REASON" };
        reason.Validators.Add(result =>
        {
            string? code = result.GetValueOrDefault<string?>();
            if (code is not null && !DeadLetterReasons.TryParse(code, out _))
                result.AddError($"--reason: unknown reason '{code}'; valid reasons: {ValidReasons}");
        });
        return reason;
    }

    internal static DeadLetterReason? Reason(ParseResult parsed, Option<string?> reason) =>
        parsed.GetValue(reason) is { } code && DeadLetterReasons.TryParse(code, out var r) ? r : null;

    internal static Option<string?> StageOption() => new("--stage") { Description = "Only this stage (its name).", HelpName = "STAGE" };

    internal static Option<string?> RunOption() => new("--run") { Description = "Only this run (id or unique id prefix).", HelpName = "RUN" };

    private static DeadLetterQuery Query(ParseResult parsed, string? pipeline, Option<string?> reason, Option<string?> stage, Option<string?> run,
        Option<string?> since, int limit = 100) =>
        new(pipeline, parsed.GetValue(run), Reason(parsed, reason), parsed.GetValue(stage), limit) { Since = SinceOption.Value(parsed, since) };

    private static Command List(CliContext context)
    {
        var pipeline = CommonOptions.Pipeline();
        var reason = ReasonOption();
        var stage = StageOption();
        var run = RunOption();
        var since = SinceOption.Create();
        var limit = CommonOptions.Limit(50);
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the dead letters");
        var command = new Command("list", "List dead letters, newest first.") { pipeline, reason, stage, run, since, limit, state, json };
        command.SetAction((parsed, ct) => context.GuardAsync(() =>
        {
            context.Json = parsed.GetValue(json);
            var query = Query(parsed, parsed.GetValue(pipeline), reason, stage, run, since, parsed.GetValue(limit));
            return ListAsync(context, query, parsed.GetValue(state), ct);
        }, ct));
        return command;
    }

    private static Command Purge(CliContext context)
    {
        var pipeline = new Option<string>("--pipeline") { Description = "The pipeline whose dead letters to delete (required).", HelpName = "NAME", Required = true };
        var reason = ReasonOption();
        var stage = StageOption();
        var run = RunOption();
        var since = SinceOption.Create();
        var yes = new Option<bool>("--yes") { Description = "Really delete them; without it, only say how many would go." };
        var state = CommonOptions.State();
        var command = new Command("purge", "Delete dead letters for good: those of one pipeline, optionally narrowed by run, reason, stage and time.")
        {
            pipeline, reason, stage, run, since, yes, state,
        };
        command.SetAction((parsed, ct) => context.GuardAsync(() =>
        {
            var query = Query(parsed, parsed.GetValue(pipeline), reason, stage, run, since);
            return PurgeAsync(context, query, parsed.GetValue(yes), parsed.GetValue(state), ct);
        }, ct));
        return command;
    }

    private static async Task<int> PurgeAsync(CliContext context, DeadLetterQuery query, bool confirmed, string? stateOption, CancellationToken ct)
    {
        if (await OpenAsync(context, query, stateOption, write: true, ct) is not var (store, resolved))
            return ExitCodes.NotFound;
        await using var _ = store;
        query = resolved;
        if (!confirmed)
        {
            long matching = await store.CountDeadLettersAsync(query, ct);
            context.Console.WriteLine($"{matching:N0} dead letters match; nothing deleted (add --yes to delete them)");
            return ExitCodes.Ok;
        }
        long purged = await store.PurgeDeadLettersAsync(query, ct);
        context.Console.WriteLine($"purged {purged:N0} dead letters");
        return ExitCodes.Ok;
    }

    /// <summary>Opens the state and turns the query's run prefix into the run's id; null, after saying why, when the
    /// state or the run does not exist (exit 4).</summary>
    private static async Task<(IStateStore Store, DeadLetterQuery Query)?> OpenAsync(CliContext context, DeadLetterQuery query,
        string? stateOption, bool write, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        IStateStore? store = write ? await QueryStore.OpenExistingForWritingAsync(statePath) : await QueryStore.OpenExistingAsync(statePath);
        if (store is null)
        {
            context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
            return null;
        }
        if (query.RunId is not null)
        {
            RunRecord? run = await store.FindRunAsync(query.RunId, ct);
            if (run is null)
            {
                await store.DisposeAsync();
                context.Error(QueryStore.RunNotFound(query.RunId), ExitCodes.NotFound);
                return null;
            }
            query = query with { RunId = run.Id };
        }
        return (store, query);
    }

    private static async Task<int> ListAsync(CliContext context, DeadLetterQuery query, string? stateOption, CancellationToken ct)
    {
        if (await OpenAsync(context, query, stateOption, write: false, ct) is not var (store, resolved))
            return ExitCodes.NotFound;
        await using var _ = store;
        query = resolved;

        // The list shows no original bytes; one letter's can be megabytes, and --limit 1000 of them would all be held.
        IReadOnlyList<StoredDeadLetter> letters = store is SqliteStateStore sqlite
            ? await sqlite.ListDeadLettersAsync(query, withOriginals: false, ct)
            : await store.ListDeadLettersAsync(query, ct);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new DeadLetterListDocument([.. letters.Select(DeadLetterPart.Of)]));
            return ExitCodes.Ok;
        }
        if (letters.Count == 0)
        {
            context.Console.WriteLine("no dead letters");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("id").RightAligned());
        table.AddColumns("run", "stage", "reason", "field", "rule", "origin", "attempts", "message");
        foreach (StoredDeadLetter d in letters)
        {
            table.AddRow(
                d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(d.RunId), Markup.Escape(d.Stage),
                d.Reason.Code(), Markup.Escape(d.Field ?? ""), Markup.Escape(d.Rule ?? ""),
                Markup.Escape($"{Path.GetFileName(d.Input)}:{d.Position}"), d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(d.Message));
        }
        context.Console.Write(table);
        context.Console.WriteLine("details and original bytes: sluice dlq show ID");
        return ExitCodes.Ok;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<long>("ID")
        {
            Description = "The dead letter's id (see sluice dlq list).",
            CustomParser = result => CommonOptions.WholeNumber(result, "the ID argument", "a dead letter's id (see sluice dlq list)", min: 1, max: long.MaxValue) ?? 0,
        };
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the dead letter, its original bytes as base64 (and as text when they are UTF-8)");
        var command = new Command("show", "Show one dead letter: every field and its original bytes.") { id, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            return context.GuardAsync(() => ShowAsync(context, parsed.GetValue(id), parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    private static async Task<int> ShowAsync(CliContext context, long id, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using IStateStore? store = await QueryStore.OpenExistingAsync(statePath);
        if (store is null)
            return context.Error(QueryStore.Missing(statePath), ExitCodes.NotFound);
        StoredDeadLetter? d = await store.GetDeadLetterAsync(id, ct);
        if (d is null)
            return context.Error($"no dead letter has the id {id} (see sluice dlq list)", ExitCodes.NotFound);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new DeadLetterDocument(DeadLetterPart.Of(d), OriginalPart.Of(d.Original)));
            return ExitCodes.Ok;
        }

        var fields = new Grid().AddColumn().AddColumn();
        void Field(string name, string value) => fields.AddRow(new Text(name), new Text(value));
        Field("id", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("run", d.RunId);
        Field("pipeline", d.Pipeline);
        Field("stage", d.Stage);
        Field("reason", d.Reason.Code());
        Field("field", d.Field ?? "");
        Field("rule", d.Rule ?? "");
        Field("input", d.Input);
        Field("position", d.Position);
        Field("created (UTC)", Format.Utc(d.CreatedAt));
        Field("attempts", d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("message", d.Message);
        context.Console.Write(fields);

        context.Console.WriteLine($"original ({Format.Count(d.Original.Length)} bytes):");
        context.Console.WriteLine("  " + OriginalBytes.Escape(d.Original));
        if (!OriginalBytes.IsValidUtf8(d.Original))
        {
            context.Console.WriteLine("not valid UTF-8; hex:");
            context.Console.WriteLine(OriginalBytes.HexDump(d.Original).TrimEnd('\n'));
        }
        return ExitCodes.Ok;
    }
}
