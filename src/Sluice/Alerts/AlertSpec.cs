using Sluice.Configuration;

namespace Sluice.Alerts;

/// <summary>The keys pipeline and flow files share for freshness and SLA alerts, declared once for both loaders, both
/// file references and both JSON Schemas.</summary>
internal static class AlertSpec
{
    public static ObjectShape Sla { get; } = new([
        new OptionSpec("finish_by", Shape.String, "The local time of day (`HH:MM`, or `HH:MM:SS`) by which a run must have succeeded, each day. A success counts for the first deadline at or after it ended.", Required: true, Example: "\"06:00\""),
        new OptionSpec("time_zone", Shape.String, "The IANA time zone of `finish_by`. A time the clocks skip is the end of the gap; a repeated one, its first occurrence.", Default: "UTC", Example: "Europe/Paris"),
    ]);

    public static ObjectShape Alerts { get; } = new([
        new OptionSpec("webhook", Shape.String, "An http or https URL each miss is POSTed to as JSON (see [alerts.md](alerts.md)), with the header `Idempotency-Key`; retried until it answers 2xx. Never printed.", Required: true, Example: "https://hooks.example.com/sluice"),
        new OptionSpec("headers", Shape.MapOf(Shape.String), "Request headers. `${env:NAME}` in a value is replaced by that environment variable when a request is made, so secrets stay out of the file; header values are never printed or stored.", Example: "{ Authorization: \"Bearer ${env:HOOK_TOKEN}\" }", Secret: true),
    ]);

    /// <summary>The section both file references give <c>sla</c> and <c>alerts</c>.</summary>
    public static void Document(System.Text.StringBuilder md)
    {
        md.Append("## Freshness and SLA alerts\n\n`sluice serve` and `sluice alerts check` judge `freshness` and `sla`; a miss is recorded once, logged, and POSTed to `alerts.webhook`. What counts as a miss, the request and its retries: [alerts.md](alerts.md).\n\n`sla`:\n\n");
        PipelineDocs.OptionsTable(md, Sla.Options);
        md.Append("`alerts`:\n\n");
        PipelineDocs.OptionsTable(md, Alerts.Options);
    }

    /// <summary>The three top-level keys, in the order the references list them.</summary>
    public static IReadOnlyList<OptionSpec> Options(string what, string newest) => [
        new OptionSpec("freshness", Shape.String, $"Oldest the {what}'s newest data may be ({newest}), `1s` to `365d`: older, and `sluice serve` and `sluice alerts check` record a miss and raise an alert. See [alerts.md](alerts.md).", Example: "2h"),
        new OptionSpec("sla", Sla, $"A daily deadline: a run of the {what} must have succeeded by `finish_by`, or a miss is recorded and raised. See [alerts.md](alerts.md).", Example: "{ finish_by: \"06:00\", time_zone: Europe/Paris }"),
        new OptionSpec("alerts", Alerts, "Where freshness and SLA misses are sent, besides the state file and the log."),
    ];
}
