using System.CommandLine;
using System.Globalization;
using Sluice.Alerts;
using Sluice.Cli.Documents;
using Sluice.Flows;
using Sluice.Pipelines;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice alerts check FILE...</c> (judge freshness and SLA once, for cron) and <c>sluice alerts list</c>
/// (the recorded misses, newest first).</summary>
internal static class AlertsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("alerts", "Freshness and SLA misses: judge them once, or list those recorded.");
        command.Subcommands.Add(Check(context));
        command.Subcommands.Add(List(context));
        return command;
    }

    /// <summary>How <c>serve</c> and <c>alerts check</c> log: a line per miss recorded and per request made.</summary>
    public static AlertMonitorOptions Options(CliContext context) => new()
    {
        OnEvent = e =>
        {
            context.Stdout.WriteLine(Line(e));
            context.Stdout.Flush();
        },
    };

    internal static string Line(AlertEvent e) => e.Kind switch
    {
        AlertEventKind.Missed => $"alert: {e.Alert.Detail} (key {e.Alert.Key})",
        AlertEventKind.Sent => $"alert {e.Alert.Key}: sent to the webhook (attempt {e.Alert.Attempts})",
        _ => $"alert {e.Alert.Key}: webhook attempt {e.Alert.Attempts} failed: {CliContext.OneLine(e.Error ?? "")}; next at {e.NextAttemptAt:u}",
    };

    private static Command Check(CliContext context)
    {
        var files = new Argument<string[]>("FILE") { Description = "Flow or pipeline files with `freshness:` or `sla:`.", Arity = ArgumentArity.OneOrMore };
        // Cli.Complete refuses empty values of single-value arguments only: this one takes several.
        files.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                result.AddError("FILE takes a flow or pipeline file, not an empty value");
        });
        var state = CommonOptions.State();
        var command = new Command("check", $"Judge freshness and SLA once, record and send new misses, and exit {ExitCodes.Late} when something is late.") { files, state };
        command.SetAction((parsed, ct) => context.GuardAsync(() => CheckAsync(context, parsed.GetValue(files)!, parsed.GetValue(state), ct), ct));
        return command;
    }

    private static async Task<int> CheckAsync(CliContext context, string[] files, string? stateOption, CancellationToken ct)
    {
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
            return context.Error($"no such flow or pipeline file: {string.Join(", ", missing)}", ExitCodes.Invalid);
        var problems = new List<Diagnostic>();
        var targets = new List<AlertTarget>();
        foreach (string file in files)
        {
            if (IsFlow(file))
            {
                try
                {
                    targets.AddRange(AlertTargets.ForFlows([FlowFile.Load(file)], problems));
                }
                catch (PipelineException e)
                {
                    problems.AddRange(e.Diagnostics);
                }
            }
            else if (AlertTargets.ForPipelineFile(file, problems) is { } pipeline)
            {
                targets.Add(pipeline);
            }
        }
        if (problems.Count > 0)
            throw new PipelineException(problems);
        string statePath = context.StatePath = StatePaths.ForPipeline(stateOption, files[0]);
        if (Directory.Exists(statePath))
            throw Sluice.State.Sqlite.SqliteStateErrors.Folder(Path.GetFullPath(statePath));
        if (targets.Count == 0)
            return context.Error("nothing to check: give a flow or pipeline file with `freshness:` or `sla:`", ExitCodes.Invalid);
        // A missing state file would make every subject look new, and so never late: say so instead.
        if (!File.Exists(statePath))
            return context.Error(QueryStore.Missing(statePath), ExitCodes.Invalid);
        await using var store = await SqliteStateStore.OpenAsync(statePath);
        var late = await new AlertMonitor(store, targets, Options(context)).CheckAsync(ct);
        foreach (var alert in late)
            context.Stdout.WriteLine($"late: {alert.Detail}");
        context.Stdout.WriteLine(late.Count == 0
            ? $"on time: {string.Join(", ", targets.Select(t => $"{t.Kind.ToString().ToLowerInvariant()} '{t.Name}'"))}"
            : $"{late.Count} late");
        return late.Count == 0 ? ExitCodes.Ok : ExitCodes.Late;
    }

    /// <summary>A flow file has <c>tasks:</c> at its root (as <c>sluice graph</c> tells them apart).</summary>
    private static bool IsFlow(string file)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            return stream.Documents is [{ RootNode: YamlMappingNode root }] && root.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "tasks");
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return false; // read as a pipeline file, whose loader reports the syntax error at its place
        }
    }

    private static Command List(CliContext context)
    {
        var subject = new Option<string?>("--subject") { Description = "Only this pipeline's or flow's misses (its name).", HelpName = "NAME" };
        // Not given: 0, none of the ids (they start at 1), which the parser refuses when written.
        var before = new Option<long>("--before")
        {
            Description = "Only misses with an id below this one: the next page.",
            HelpName = "ID",
            CustomParser = result => CommonOptions.WholeNumber(result, "--before", "an alert id", min: 1, max: long.MaxValue) ?? 0,
        };
        var limit = CommonOptions.Limit(20);
        var state = CommonOptions.State();
        var json = CommonOptions.Json("the misses");
        var command = new Command("list", "List recorded freshness and SLA misses, newest first, with whether each was sent.") { subject, before, limit, state, json };
        command.SetAction((parsed, ct) =>
        {
            context.Json = parsed.GetValue(json);
            var query = new AlertQuery { Subject = parsed.GetValue(subject), BeforeId = parsed.GetValue(before) is > 0 and var id ? id : null, Limit = parsed.GetValue(limit) };
            return context.GuardAsync(() => ListAsync(context, query, parsed.GetValue(state), ct), ct);
        });
        return command;
    }

    private static async Task<int> ListAsync(CliContext context, AlertQuery query, string? stateOption, CancellationToken ct)
    {
        string statePath = context.StatePath = StatePaths.ForQueries(stateOption);
        await using var store = await QueryStore.OpenExistingAsync(statePath) as SqliteStateStore;
        var alerts = store is null ? [] : await store.ListAlertsAsync(query, ct);
        if (context.Json)
        {
            JsonDocuments.Write(context.Stdout, new AlertsDocument(statePath, store is not null, [.. alerts.Select(AlertsDocument.Item.Of)]));
            return ExitCodes.Ok;
        }
        if (store is null)
        {
            context.Console.WriteLine(QueryStore.Missing(statePath));
            return ExitCodes.Ok;
        }
        if (alerts.Count == 0)
        {
            context.Console.WriteLine(query.Subject is null ? "no misses recorded" : $"no misses of '{query.Subject}' recorded");
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("id", "detected (UTC)", "subject", "kind", "due (UTC)", "sent", "detail");
        foreach (var alert in alerts)
        {
            string sent = alert switch
            {
                { SentAt: { } at } => Rendering.Format.Utc(at),
                { NextAttemptAt: null } => "no webhook",
                _ => $"not yet ({alert.Attempts} attempts{(alert.LastError is { } error ? ": " + error : "")})",
            };
            table.AddRow(alert.Id.ToString(CultureInfo.InvariantCulture), Rendering.Format.Utc(alert.DetectedAt),
                Markup.Escape($"{alert.SubjectKind.ToString().ToLowerInvariant()} {alert.Subject}"), alert.Kind.ToString().ToLowerInvariant(),
                Rendering.Format.Utc(alert.DueAt), Markup.Escape(sent), Markup.Escape(alert.Detail));
        }
        context.Console.Write(table);
        return ExitCodes.Ok;
    }
}
