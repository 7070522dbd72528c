using System.Globalization;
using Sluice.Configuration;
using Sluice.Extensibility;
using Sluice.Flows;
using Sluice.Pipelines;

namespace Sluice.Alerts;

/// <summary>Reads <c>freshness:</c>, <c>sla:</c> and <c>alerts:</c> from a checked file root; what the shapes cannot
/// say (a duration, a time of day, a zone, a URL) is reported at the value.</summary>
internal static class AlertReader
{
    public static AlertPolicy Read(ConfigNode root, List<Diagnostic> problems)
    {
        TimeSpan? freshness = null;
        if (root["freshness"] is { } f)
        {
            if (DurationText.TryParse(f.Text, out var duration) && duration >= TimeSpan.FromSeconds(1) && duration <= TimeSpan.FromDays(365))
                freshness = duration;
            else
                problems.Add(new Diagnostic(f.Location, $"freshness must be a duration from 1s to 365d with a unit (30s, 15m, 2h, 1d); found '{f.Text}'"));
        }
        var sla = root["sla"] is { } s ? ReadSla(s, problems) : null;
        var webhook = root["alerts"] is { } a ? ReadWebhook(a, problems) : null;
        return freshness is null && sla is null && webhook is null ? AlertPolicy.None : new AlertPolicy(freshness, sla, webhook);
    }

    private static SlaDeadline? ReadSla(ConfigNode node, List<Diagnostic> problems)
    {
        TimeOnly? finishBy = null;
        if (node["finish_by"] is { } at)
        {
            if (TimeOnly.TryParseExact(at.Text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                finishBy = time;
            else
                problems.Add(new Diagnostic(at.Location, $"sla: finish_by must be a time of day HH:MM (00:00 to 23:59), or HH:MM:SS; found '{at.Text}'"));
        }
        var zoneNode = node["time_zone"];
        var zone = FlowSchedule.FindTimeZone(zoneNode?.Text ?? "UTC", out string? zoneProblem);
        if (zoneProblem is not null)
            problems.Add(new Diagnostic(zoneNode!.Location, "sla: " + zoneProblem));
        return finishBy is { } t && zone is not null ? new SlaDeadline(t, zone) : null;
    }

    private static AlertWebhook? ReadWebhook(ConfigNode node, List<Diagnostic> problems)
    {
        if (node["webhook"] is not { } url)
            return null; // reported: a required key is missing
        if (!Uri.TryCreate(url.Text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            // The value itself is not repeated: a webhook URL often holds a token.
            problems.Add(new Diagnostic(url.Location, "alerts: webhook must be an absolute http or https URL"));
            return null;
        }
        var headers = node.GetStringMap("headers") ?? new Dictionary<string, string>();
        foreach (var (name, value) in node["headers"]?.Entries ?? [])
        {
            if (Connectors.Http.HttpOptionValues.HeaderProblem(name, value.Text) is { } problem)
                problems.Add(new Diagnostic(value.Location, "alerts: " + problem));
        }
        return new AlertWebhook(uri, headers);
    }
}
